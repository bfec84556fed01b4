/**
 * @module
 * VirtualMachine status after a pass: KubeVirt `updateStatus`,
 * `syncGenerationInfo`, `syncConditions`, `syncReadyConditionFromVMI` and
 * `processFailureCondition` (`watch/vm/vm.go`). Pair with `statusEqual`.
 */
import { deepCopy, type KubeObject } from "../../../shared/k8s/object";
import { removeCondition, updateVMCondition } from "../shared/conditions";
import { conditionsOf, getCondition, statusOf, type Condition } from "../shared/object-fields";
import { printableStatus } from "./vm-printable-status";
import { isTrimFirstChangeRequestNeeded, stateChangeRequestsOf } from "./vm-requests";
import type { SyncError } from "./vm-run-strategy";
import { mathRandomInt, syncStartFailure, type RandomInt } from "./vm-start-failure";
import { VM_GENERATION_ANNOTATION } from "./vm-vmi-template";
import { formatTime } from "../../../shared/k8s/time";

/** `v1.VirtualMachineStatus` as the controller writes it; fields it does not own are kept. */
export interface VirtualMachineStatus {
  printableStatus: string;
  created?: boolean;
  ready?: boolean;
  runStrategy?: string;
  conditions?: Condition[];
  [field: string]: unknown;
}

/** Input of `calculateVMStatus`. */
export interface VMStatusInput {
  vm: KubeObject;
  /** The claimed VMI, as read at the start of the pass. */
  vmi: KubeObject | undefined;
  /** `runStrategyOf(vm)`. */
  runStrategy: string;
  now: Date;
  /** This pass creates a VMI (KubeVirt: pending creation expectations). */
  startExpected: boolean;
  /** This pass deletes the VMI (pending deletion expectations). */
  stopExpected: boolean;
  /** RerunOnFailure queued a Start (`addStartRequest`). */
  addStartRequest?: boolean;
  /** A start or stop went ahead, which drops RestartRequired (`cleanupRestartRequired`). */
  clearRestartRequired?: boolean;
  syncError?: SyncError;
  randomInt?: RandomInt;
}

// Conditions the VM owns itself; every other VMI condition is mirrored.
const NOT_MIRRORED = new Set(["Ready", "Failure", "RestartRequired"]);

/** `syncReadyConditionFromVMI`: the VM's Ready condition. */
function readyCondition(vmi: KubeObject | undefined, now: Date): Condition {
  const t = formatTime(now.getTime());
  if (vmi === undefined) {
    const message = "VMI does not exist";
    return { type: "Ready", status: "False", reason: "VMINotExists", message, lastProbeTime: t, lastTransitionTime: t };
  }
  const ready = getCondition(vmi, "Ready");
  if (ready === undefined) {
    const message = "VMI is missing the Ready condition";
    return { type: "Ready", status: "False", reason: "VMIConditionMissing", message, lastProbeTime: t, lastTransitionTime: t };
  }
  return { ...ready };
}

/** `syncConditions`: Ready, Failure, then the VMI's other conditions mirrored (and stale ones removed). */
function syncConditions(current: Condition[], vmi: KubeObject | undefined, now: Date, syncError?: SyncError): Condition[] {
  let conds = updateVMCondition(current, readyCondition(vmi, now));
  if (syncError === undefined) conds = removeCondition(conds, "Failure");
  else {
    const { reason, message } = syncError;
    conds = updateVMCondition(conds, { type: "Failure", reason, message, lastTransitionTime: formatTime(now.getTime()), status: "True" });
  }
  if (vmi === undefined) return conds;
  const mirrored = conditionsOf(vmi).filter((c) => !NOT_MIRRORED.has(c.type));
  for (const c of mirrored) conds = updateVMCondition(conds, { ...c });
  const onVMI = new Set(mirrored.map((c) => c.type));
  return conds.filter((c) => NOT_MIRRORED.has(c.type) || onVMI.has(c.type));
}

/** `getGenerationAnnotationAsInt`: the VM generation the VMI was started from. */
function vmiGeneration(vmi: KubeObject): number | undefined {
  const raw = vmi.metadata.annotations?.[VM_GENERATION_ANNOTATION];
  return raw !== undefined && /^[+-]?[0-9]+$/.test(raw) ? Number(raw) : undefined;
}

/**
 * KubeVirt `updateStatus` as a pure function: created/ready, the generation
 * info, `runStrategy` (recorded once a VMI has ever been created), the first
 * state change request popped when done, `startFailure`, conditions and
 * `printableStatus`. `clearRequests` says how many requests were popped (0 or 1).
 */
export function calculateVMStatus(input: VMStatusInput): { status: VirtualMachineStatus; clearRequests: number } {
  const { vm, vmi, now } = input;
  const status = deepCopy(statusOf(vm)) as VirtualMachineStatus;

  let requests = stateChangeRequestsOf(vm);
  if (input.addStartRequest === true) requests = [...requests, { action: "Start" }];
  let conditions = conditionsOf(vm);
  if (input.clearRestartRequired === true) conditions = removeCondition(conditions, "RestartRequired");

  const created = vmi !== undefined;
  // omitempty booleans: false is absent on the wire.
  if (created) status.created = true;
  else delete status.created;
  if (vmi !== undefined && getCondition(vmi, "Ready")?.status === "True") status.ready = true;
  else delete status.ready;
  if (vmi !== undefined) {
    const generation = vmiGeneration(vmi);
    if (generation !== undefined) {
      status.observedGeneration = generation;
      status.desiredGeneration = vm.metadata.generation ?? 0;
    }
  }
  const recorded = typeof status.runStrategy === "string" && status.runStrategy !== "";
  if (recorded || created) status.runStrategy = input.runStrategy;

  let clearRequests = 0;
  if (isTrimFirstChangeRequestNeeded({ ...vm, status: { ...status, stateChangeRequests: requests } }, vmi)) {
    requests = requests.slice(1);
    clearRequests = 1;
  }
  if (requests.length > 0) status.stateChangeRequests = requests;
  else delete status.stateChangeRequests;

  const startFailure = syncStartFailure(vm, input.runStrategy, vmi, now, input.randomInt ?? mathRandomInt);
  if (startFailure !== undefined) status.startFailure = startFailure;
  else delete status.startFailure;

  conditions = syncConditions(conditions, vmi, now, input.syncError);
  if (conditions.length > 0) status.conditions = conditions;
  else delete status.conditions;

  status.printableStatus = printableStatus({
    vm,
    vmi,
    runStrategy: input.runStrategy,
    startFailure,
    startExpected: input.startExpected,
    stopExpected: input.stopExpected,
    now,
  });
  return { status, clearRequests };
}
