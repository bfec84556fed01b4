/**
 * @module
 * Pod activity, readiness and availability as `pkg/controller/controller_utils.go`
 * and `pkg/api/v1/pod/util.go` define them.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { getCondition, isDeleting, timeOf } from "../shared/object-fields";
import { isFinal } from "../scheduler/scheduling-keys";

/** `controller.IsPodActive`: not Succeeded or Failed, and not being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  return !isFinal(pod) && !isDeleting(pod);
}

/** `controller.IsPodTerminating`: being deleted but not yet terminal (counted by `terminatingReplicas`). */
export function isPodTerminating(pod: KubeObject): boolean {
  return !isFinal(pod) && isDeleting(pod);
}

/** `podutil.IsPodReady`: the Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  return getCondition(pod, "Ready")?.status === "True";
}

/**
 * `podutil.IsPodAvailable`: ready, and either `minReadySeconds` is 0 or the
 * Ready condition turned True strictly more than `minReadySeconds` before `now`.
 */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = timeOf(getCondition(pod, "Ready")?.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < now.getTime();
}

/**
 * `controller.nextPodAvailabilityCheck`: milliseconds until a ready pod
 * becomes available, or undefined when it is not ready, already available,
 * or has no transition time.
 */
export function nextPodAvailabilityCheck(pod: KubeObject, minReadySeconds: number, now: Date): number | undefined {
  if (!isPodReady(pod) || minReadySeconds <= 0) return undefined;
  const since = timeOf(getCondition(pod, "Ready")?.lastTransitionTime);
  if (since === undefined) return undefined;
  const wait = since + minReadySeconds * 1000 - now.getTime();
  return wait > 0 ? wait : undefined;
}
