/**
 * @module
 * One VirtualMachine pass, decided purely: KubeVirt `Controller.execute`,
 * `sync` and `updateStatus` (`watch/vm/vm.go`) without DataVolumes,
 * instancetypes, hotplug or ControllerRevisions.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { isDeleting } from "../shared/object-fields";
import { claimChildren } from "../replicaset/replicas";
import { runStrategyOf, syncRunStrategy, type RunStrategyDecision, type SyncError } from "./vm-run-strategy";
import { calculateVMStatus, type VirtualMachineStatus } from "./vm-status";
import type { RandomInt } from "./vm-start-failure";
import { VM_CONTROLLER_FINALIZER } from "./vm-vmi-template";
import { isVMIFinal } from "../replicaset/vmi-policy";

/** `metav1.FinalizerOrphanDependents`: the VM is deleted with `propagationPolicy: Orphan`. */
const ORPHAN_FINALIZER = "orphan";

/** Input of `syncVirtualMachine`. */
export interface VirtualMachineSyncInput {
  vm: KubeObject;
  /** The VMI named like the VM, if any (claimed here). */
  vmi?: KubeObject | undefined;
  now: Date;
  /** Jitter for the crash-loop back-off (`rand.Intn`). */
  randomInt?: RandomInt;
}

/**
 * The actions of one pass. The executor applies, in this order: `vmFinalizer`,
 * `specPatch`, `adoptVMI`, `delete` or `create` (`setupVMIFromVM(vm)`); then
 * writes `status` when `!statusEqual(vm.status, status)`; then removes the
 * VM finalizer from a final VMI (`removeVMIFinalizer`); and requeues after
 * `requeueAfterSeconds`. If the create or delete fails, it writes
 * `statusAfterFailedAction(…)` instead of `status`.
 */
export interface VirtualMachineSyncResult {
  /** The VMI is an orphan to adopt (patch in the controller reference). */
  adoptVMI: boolean;
  create: boolean;
  delete: boolean;
  /** Halted with a start request: rewrite the spec to run. */
  specPatch?: RunStrategyDecision["specPatch"];
  /** Add the VM controller finalizer to the VM, or remove it once the VM may go. */
  vmFinalizer?: "add" | "remove";
  /** Remove `kubevirt.io/virtualMachineControllerFinalize` from the final VMI after the status write. */
  removeVMIFinalizer: boolean;
  requeueAfterSeconds?: number;
  /** How many leading `stateChangeRequests` the new status dropped (0 or 1). */
  clearRequests: number;
  /** The next status, assuming the actions succeed; undefined when KubeVirt would not write one. */
  status: VirtualMachineStatus | undefined;
  syncError?: SyncError;
}

/** `startingVMIFailureFmt` with `failedCreateReason`: the Failure condition after a failed create. */
export function createFailure(err: Error | string): SyncError {
  return { reason: "FailedCreate", message: `Failure while starting VMI: ${typeof err === "string" ? err : err.message}` };
}

/** `failureDeletingVmiErrFormat` with `vmiFailedDeleteReason`: the Failure condition after a failed delete. */
export function deleteFailure(err: Error | string): SyncError {
  return { reason: "FailedDelete", message: `Failure attempting to delete VMI: ${typeof err === "string" ? err : err.message}` };
}

const hasFinalizer = (obj: KubeObject, name: string): boolean => obj.metadata.finalizers?.includes(name) ?? false;

/** `ClaimVirtualMachineInstanceByName`: the VMI if this VM controls it or may adopt it. */
function claimVMI(vm: KubeObject, vmi: KubeObject | undefined): { vmi: KubeObject | undefined; adopt: boolean } {
  if (vmi === undefined) return { vmi: undefined, adopt: false };
  const claim = claimChildren(vm, [vmi], { matches: () => vmi.metadata.name === vm.metadata.name });
  return { vmi: claim.claimed[0], adopt: claim.adopt.length > 0 };
}

function strategyOf(vm: KubeObject): string {
  const parsed = runStrategyOf(vm);
  return "runStrategy" in parsed ? parsed.runStrategy : "";
}

/**
 * One VM reconcile: claim the VMI by name, handle VM deletion (delete the VMI
 * unless orphaning, then drop the VM finalizer), otherwise follow the run
 * strategy (`syncRunStrategy`) and compute the status (`calculateVMStatus`).
 */
export function syncVirtualMachine(input: VirtualMachineSyncInput): VirtualMachineSyncResult {
  const { vm, now } = input;
  const { vmi, adopt } = claimVMI(vm, input.vmi);
  const base = { adoptVMI: adopt, create: false, delete: false, removeVMIFinalizer: false, clearRequests: 0 };
  const parsed = runStrategyOf(vm);
  const runStrategy = strategyOf(vm);
  const finish = (decision: Partial<RunStrategyDecision>, extra: Partial<VirtualMachineSyncResult>): VirtualMachineSyncResult => {
    const create = decision.create ?? false;
    const del = decision.delete ?? false;
    const { status, clearRequests } = calculateVMStatus({
      vm,
      vmi,
      runStrategy,
      now,
      startExpected: create,
      stopExpected: del,
      addStartRequest: decision.addStartRequest ?? false,
      clearRestartRequired: create || del,
      ...(decision.syncError !== undefined ? { syncError: decision.syncError } : {}),
      ...(input.randomInt !== undefined ? { randomInt: input.randomInt } : {}),
    });
    const removeVMIFinalizer = vmi !== undefined && isVMIFinal(vmi) && hasFinalizer(vmi, VM_CONTROLLER_FINALIZER);
    const result: VirtualMachineSyncResult = { ...base, ...extra, create, delete: del, removeVMIFinalizer, clearRequests, status };
    if (decision.specPatch !== undefined) result.specPatch = decision.specPatch;
    if (decision.requeueAfterSeconds !== undefined) result.requeueAfterSeconds = decision.requeueAfterSeconds;
    if (decision.syncError !== undefined) result.syncError = decision.syncError;
    return result;
  };

  if (isDeleting(vm)) {
    if (vmi === undefined || hasFinalizer(vm, ORPHAN_FINALIZER)) {
      return finish({}, hasFinalizer(vm, VM_CONTROLLER_FINALIZER) ? { vmFinalizer: "remove" } : {});
    }
    return finish({ delete: !isDeleting(vmi) }, {});
  }
  const extra: Partial<VirtualMachineSyncResult> = hasFinalizer(vm, VM_CONTROLLER_FINALIZER) ? {} : { vmFinalizer: "add" };
  if ("error" in parsed) {
    // KubeVirt returns before updateStatus here, so nothing is written.
    const syncError = { reason: "FailedCreate", message: `Error fetching RunStrategy: ${parsed.error}` };
    return { ...base, ...extra, status: undefined, syncError };
  }
  return finish(syncRunStrategy(vm, vmi, runStrategy, now), extra);
}

/**
 * The status to write when the create or delete that `result` asked for
 * failed: KubeVirt lowers its expectation, so nothing is "expected", records
 * the Failure condition, and (having already dropped RestartRequired before
 * a create) does not queue RerunOnFailure's Start.
 */
export function statusAfterFailedAction(
  input: VirtualMachineSyncInput,
  result: VirtualMachineSyncResult,
  err: Error | string,
): VirtualMachineStatus {
  const { vmi } = claimVMI(input.vm, input.vmi);
  return calculateVMStatus({
    vm: input.vm,
    vmi,
    runStrategy: strategyOf(input.vm),
    now: input.now,
    startExpected: false,
    stopExpected: false,
    clearRestartRequired: result.create,
    syncError: result.create ? createFailure(err) : deleteFailure(err),
    ...(input.randomInt !== undefined ? { randomInt: input.randomInt } : {}),
  }).status;
}
