/**
 * @module
 * What to do with a deleting VMI the host finalizer still holds — the part
 * of virt-controller's and virt-handler's deletion path (semantics.md §1
 * "Deletion") that does not need the host: a VMI that never reached a host
 * goes Failed and is let go (a VMI deleted while Pending goes Failed); a
 * final one is let go; a running one waits for its host to report it
 * stopped, at most `terminationGracePeriodSeconds` (nil means 30), after
 * which it is forced Failed and let go, as virt-handler destroys a domain
 * whose grace period expired.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { numberField, specOf, timeOf } from "../shared/object-fields";
import { boundNode } from "../scheduler/scheduling-keys";
import { isVMIFinal } from "../replicaset/vmi-policy";

/** KubeVirt's `DefaultGracePeriodSeconds`. */
export const DEFAULT_VMI_GRACE_PERIOD_SECONDS = 30;

/** The decision for one deleting VMI. */
export type VMITerminationAction =
  | { action: "fail"; reason: "Unscheduled" | "GracePeriodExpired" }
  | { action: "release" }
  | { action: "wait"; requeueAfterSeconds: number };

/** Decides for a VMI that is deleting and still carries the host finalizer. */
export function decideVMITermination(vmi: KubeObject, now: number): VMITerminationAction {
  const final = isVMIFinal(vmi);
  if (final) return { action: "release" };
  if (boundNode(vmi) === "") return { action: "fail", reason: "Unscheduled" };
  const deleting = timeOf(vmi.metadata.deletionTimestamp) ?? now;
  const grace = Math.max(0, numberField(specOf(vmi), "terminationGracePeriodSeconds", DEFAULT_VMI_GRACE_PERIOD_SECONDS));
  const deadline = deleting + grace * 1000;
  if (now >= deadline) return { action: "fail", reason: "GracePeriodExpired" };
  return { action: "wait", requeueAfterSeconds: Math.max(1, Math.ceil((deadline - now) / 1000)) };
}
