/**
 * @module
 * VirtualMachineInstances as VMIRS children, per KubeVirt
 * `pkg/virt-controller/watch/replicaset/replicaset.go` (filterActiveVMIs,
 * filterReadyVMIs, filterFinishedVMIs, filterUnknownVMIs).
 */
import type { KubeObject } from "../../../shared/k8s/object";
import type { ChildPolicy } from "./child-policy";
import { hasCondition, isDeleting, phaseOf, timeOf } from "../shared/object-fields";
import { isFinal } from "../scheduler/scheduling-keys";

/** `virtv1.PodTerminatingReason`: the VMI's pod is going away, so the VMI is as good as gone. */
export const POD_TERMINATING_REASON = "PodTerminating";

/** `VirtualMachineInstance.IsFinal`: Succeeded or Failed. */
export function isVMIFinal(vmi: KubeObject): boolean {
  return isFinal(vmi);
}

/** The VMI's Ready condition is True (`filterReadyVMIs`). */
export function isVMIReady(vmi: KubeObject): boolean {
  return hasCondition(vmi, "Ready", "True");
}

/** Ready=False with reason PodTerminating: the "unknown" VMIs of `filterUnknownVMIs`. */
function isPodTerminatingUnknown(vmi: KubeObject): boolean {
  return hasCondition(vmi, "Ready", "False", POD_TERMINATING_REASON);
}

/** `filterActiveVMIs`: not final, not being deleted, and its pod not terminating. */
export function isVMIActive(vmi: KubeObject): boolean {
  return !isVMIFinal(vmi) && !isDeleting(vmi) && !isPodTerminatingUnknown(vmi);
}

/** `filterFinishedVMIs` ∪ `filterUnknownVMIs`: not yet deleted, but final or with a terminating pod. */
export function isVMIFinished(vmi: KubeObject): boolean {
  return !isDeleting(vmi) && (isVMIFinal(vmi) || isPodTerminatingUnknown(vmi));
}

/** Creation time in ms; a missing one counts as newest, as `afterOrZero` treats the zero time. */
function createdAt(vmi: KubeObject): number {
  return timeOf(vmi.metadata.creationTimestamp) ?? Number.POSITIVE_INFINITY;
}

/**
 * Scale-down order for VMIs. KubeVirt deletes `vmis[0:n]` in cache order and
 * leaves a TODO ("not yet running < migrating < other"); we rank instead:
 * not yet Running (Pending, Scheduling, Scheduled, unset) before Running, not
 * ready before ready, then newer first. Equal VMIs keep their list order.
 */
export function rankVMIsForDeletion(vmis: readonly KubeObject[]): KubeObject[] {
  const key = (vmi: KubeObject): [number, number, number] => [
    phaseOf(vmi) === "Running" ? 1 : 0,
    isVMIReady(vmi) ? 1 : 0,
    -createdAt(vmi),
  ];
  const keyed = vmis.map((vmi) => ({ vmi, k: key(vmi) }));
  keyed.sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || compareNumbers(a.k[2], b.k[2]));
  return keyed.map((e) => e.vmi);
}

// Infinity - Infinity is NaN, so compare without subtracting.
function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The VMIRS child policy: VMIs (availability is readiness; VMIRS has no minReadySeconds). */
export const vmiPolicy: ChildPolicy = {
  isActive: isVMIActive,
  isReady: isVMIReady,
  isAvailable: isVMIReady,
  isFinished: isVMIFinished,
  rankForDeletion: (candidates) => rankVMIsForDeletion(candidates),
};
