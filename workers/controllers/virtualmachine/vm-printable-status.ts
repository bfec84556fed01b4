/**
 * @module
 * `status.printableStatus` of a VirtualMachine: KubeVirt `setPrintableStatus`
 * (`watch/vm/vm.go`), an ordered list of predicates where the first match wins.
 */
import { isJsonObject, type KubeObject } from "../../../shared/k8s/object";
import { getCondition, hasCondition, isDeleting, phaseOf, statusOf, timeOf } from "../shared/object-fields";
import type { VirtualMachineStartFailure } from "./vm-start-failure";
import { isVMIFinal } from "../replicaset/vmi-policy";

/** What `setPrintableStatus` looks at. */
export interface PrintableStatusInput {
  vm: KubeObject;
  /** The VM's VMI, if one exists. */
  vmi: KubeObject | undefined;
  /** The VM's run strategy (`runStrategyOf`). */
  runStrategy: string;
  /** The start failure as this pass recorded it (`syncStartFailure`). */
  startFailure: VirtualMachineStartFailure | undefined;
  /** A create is under way (KubeVirt: creation expectations pending); here, this pass decided to create. */
  startExpected: boolean;
  /** A delete is under way (deletion expectations pending); here, this pass decided to delete. */
  stopExpected: boolean;
  now: Date;
}

/** `migrations.IsMigrating`: a migration has started and not yet ended, as of `now`. */
function isMigrating(vmi: KubeObject, now: Date): boolean {
  const state = statusOf(vmi).migrationState;
  if (!isJsonObject(state)) return false;
  const start = timeOf(state.startTimestamp);
  const end = timeOf(state.endTimestamp);
  const t = now.getTime();
  return start !== undefined && t >= start && !(end !== undefined && t >= end);
}

/** The VMI's Synchronized condition is False with `reason` (how pod-level errors surface). */
function syncFailed(vmi: KubeObject | undefined, reason: string): boolean {
  const c = getCondition(vmi, "Synchronized");
  return c !== undefined && c.status === "False" && c.reason === reason;
}

const isPaused = (vmi: KubeObject): boolean => hasCondition(vmi, "Paused", "True");
const RESTARTING_STRATEGIES = new Set(["Always", "RerunOnFailure", "Once"]);

type Rule = readonly [status: string, applies: (s: PrintableStatusInput) => boolean];

// Provisioning, WaitingForVolumeBinding and DataVolumeError look at DataVolumes
// and PVCs, which this control plane does not have; they never match here.
const RULES: readonly Rule[] = [
  ["Terminating", ({ vm }) => isDeleting(vm)],
  ["Stopping", ({ vmi, stopExpected }) => vmi !== undefined && !isVMIFinal(vmi) && (isDeleting(vmi) || stopExpected)],
  ["Migrating", ({ vmi, now }) => vmi !== undefined && isMigrating(vmi, now)],
  ["Paused", ({ vmi }) => vmi !== undefined && phaseOf(vmi) === "Running" && isPaused(vmi)],
  ["Running", ({ vmi }) => vmi !== undefined && phaseOf(vmi) === "Running" && !isPaused(vmi)],
  ["ErrorPvcNotFound", ({ vmi }) => syncFailed(vmi, "FailedPvcNotFound")],
  ["ErrorUnschedulable", ({ vmi }) => hasCondition(vmi, "PodScheduled", "False", "Unschedulable")],
  ["ErrImagePull", ({ vmi }) => syncFailed(vmi, "ErrImagePull")],
  ["ImagePullBackOff", ({ vmi }) => syncFailed(vmi, "ImagePullBackOff")],
  [
    "Starting",
    ({ vmi, startExpected }) =>
      vmi === undefined ? startExpected : ["", "Pending", "Scheduling", "Scheduled"].includes(phaseOf(vmi)),
  ],
  [
    "CrashLoopBackOff",
    ({ vmi, startExpected, startFailure, runStrategy }) =>
      (vmi === undefined || isVMIFinal(vmi)) &&
      !startExpected &&
      (startFailure?.consecutiveFailCount ?? 0) > 0 &&
      RESTARTING_STRATEGIES.has(runStrategy),
  ],
  ["Stopped", ({ vmi, startExpected }) => (vmi === undefined ? !startExpected : isVMIFinal(vmi))],
  [
    "WaitingForReceiver",
    ({ vmi, runStrategy }) => runStrategy === "WaitAsReceiver" && (vmi === undefined || phaseOf(vmi) === "WaitingForSync"),
  ],
];

/**
 * `setPrintableStatus`: Terminating, Stopping, Migrating, Paused, Running,
 * ErrorPvcNotFound, ErrorUnschedulable, ErrImagePull, ImagePullBackOff,
 * Starting, CrashLoopBackOff, Stopped, WaitingForReceiver; otherwise Unknown.
 */
export function printableStatus(input: PrintableStatusInput): string {
  return RULES.find(([, applies]) => applies(input))?.[0] ?? "Unknown";
}
