/**
 * @module
 * What a VirtualMachine's run strategy asks for in one pass: KubeVirt
 * `VirtualMachine.RunStrategy()` and `Controller.syncRunStrategy`
 * (`watch/vm/vm.go`), pure. semantics.md §2 has the table.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { hasCondition, isDeleting, phaseOf, specOf, statusOf, stringField } from "../shared/object-fields";
import { hasStartRequest, hasStopRequestForVMI } from "./vm-requests";
import { startFailureBackoffTimeLeft } from "./vm-start-failure";
import { isVMIFinal } from "../replicaset/vmi-policy";

/** `fetchingRunStrategyErrFmt` / `failedCreateReason` and friends: a sync error as KubeVirt records it. */
export interface SyncError {
  reason: string;
  message: string;
}

/**
 * `VirtualMachine.RunStrategy()`: `running: true` is Always, `running: false`
 * or neither field is Halted, else `runStrategy`; both set is an error.
 */
export function runStrategyOf(vm: KubeObject): { runStrategy: string } | { error: string } {
  const spec = specOf(vm);
  const running = spec.running;
  const strategy = spec.runStrategy;
  const hasRunning = typeof running === "boolean";
  const hasStrategy = typeof strategy === "string";
  if (hasRunning && hasStrategy) return { error: "running and runstrategy are mutually exclusive" };
  if (hasRunning) return { runStrategy: running ? "Always" : "Halted" };
  if (hasStrategy) return { runStrategy: strategy };
  return { runStrategy: "Halted" };
}

/** The actions `syncRunStrategy` takes. */
export interface RunStrategyDecision {
  /** Create the VMI (`startVMI`, see `setupVMIFromVM`). */
  create: boolean;
  /** Delete the VMI (`stopVMI`); never set for a VMI already being deleted. */
  delete: boolean;
  /** Append `{action: "Start"}` to `status.stateChangeRequests` (RerunOnFailure after a failure). */
  addStartRequest: boolean;
  /** Halted with a (paused) start request: rewrite the spec to run. */
  specPatch?: { runStrategy: "Always" } | { running: true };
  /** Start held back by the crash-loop back-off: requeue after this many seconds. */
  requeueAfterSeconds?: number;
  syncError?: SyncError;
}

const NOTHING: RunStrategyDecision = { create: false, delete: false, addStartRequest: false };

/**
 * `startVMI`'s guards that do not need DataVolumes: no start while
 * ManualRecoveryRequired is True. Then, with the back-off of Always and
 * RerunOnFailure, the start itself.
 */
function start(vm: KubeObject, now: Date, withBackoff: boolean): RunStrategyDecision {
  if (withBackoff) {
    const left = startFailureBackoffTimeLeft(vm, now);
    if (left > 0) return { ...NOTHING, requeueAfterSeconds: left };
  }
  if (hasCondition(vm, "ManualRecoveryRequired", "True")) return NOTHING;
  return { ...NOTHING, create: true };
}

/** `stopVMI`: a delete, unless the VMI is already going. */
function stop(vmi: KubeObject): RunStrategyDecision {
  return { ...NOTHING, delete: !isDeleting(vmi) };
}

/**
 * `syncRunStrategy` for one VM and its (claimed) VMI:
 * - Always: a final VMI, or one named by a pending Stop, is deleted (and
 *   recreated in a later pass); no VMI means create, after the back-off.
 * - RerunOnFailure: a live VMI that Failed, Succeeded or has a Stop pending
 *   is deleted, and a Failed one queues a Start; with no VMI, create (after
 *   the back-off) when a Start is queued or the strategy just changed
 *   (`status.runStrategy` differs).
 * - Manual: create on a queued Start; delete on a Stop for this VMI.
 * - Halted: delete any VMI; with none, a queued Start rewrites the spec to Always/`running: true`.
 * - Once: create when there is no VMI; never delete.
 * Anything else is a sync error, as KubeVirt reports an unknown strategy.
 */
export function syncRunStrategy(vm: KubeObject, vmi: KubeObject | undefined, runStrategy: string, now: Date): RunStrategyDecision {
  switch (runStrategy) {
    case "Always":
      if (vmi !== undefined) return hasStopRequestForVMI(vm, vmi) || isVMIFinal(vmi) ? stop(vmi) : NOTHING;
      return start(vm, now, true);
    case "RerunOnFailure": {
      if (vmi !== undefined) {
        const failed = phaseOf(vmi) === "Failed";
        const done = failed || phaseOf(vmi) === "Succeeded" || hasStopRequestForVMI(vm, vmi);
        if (isDeleting(vmi) || !done) return NOTHING;
        return { ...stop(vmi), addStartRequest: failed };
      }
      const strategyChanged = stringField(statusOf(vm), "runStrategy") !== runStrategy;
      return hasStartRequest(vm) || strategyChanged ? start(vm, now, true) : NOTHING;
    }
    case "Manual":
      if (vmi !== undefined) return hasStopRequestForVMI(vm, vmi) ? stop(vmi) : NOTHING;
      return hasStartRequest(vm) ? start(vm, now, false) : NOTHING;
    case "Halted":
      if (vmi !== undefined) return stop(vmi);
      if (!hasStartRequest(vm)) return NOTHING;
      // KubeVirt keeps whichever of the two fields the user set.
      return { ...NOTHING, specPatch: typeof specOf(vm).runStrategy === "string" ? { runStrategy: "Always" } : { running: true } };
    case "Once":
      return vmi === undefined ? start(vm, now, false) : NOTHING;
    default:
      return { ...NOTHING, syncError: { reason: "FailedCreate", message: `unknown runstrategy: ${runStrategy}` } };
  }
}
