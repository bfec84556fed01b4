/**
 * @module
 * The ReplicaSet scale-down order: `controller.ActivePodsWithRanks.Less` with
 * the ranks of `getPodsRankedByRelatedPodsOnSameNode`
 * (`pkg/controller/controller_utils.go`, `replicaset/replica_set.go`), with
 * PodDeletionCost and LogarithmicScaleDown on, as they are by default.
 */
import { isJsonObject, type KubeObject } from "../../../shared/k8s/object";
import { getCondition, phaseOf, specOf, statusOf, stringField, timeOf } from "../shared/object-fields";
import { isPodActive, isPodReady } from "./pod-readiness";

/** `v1.PodDeletionCost`: lower-cost pods are deleted first. */
export const POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

// Phases outside this map rank as 0, like a missing key in upstream's Go map.
const PHASE_ORDINAL: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/**
 * `helper.GetDeletionCostFromPodAnnotations`: the annotation as an int32, or 0
 * when absent or invalid (a leading `+`, leading zeros, or out of range).
 */
export function getDeletionCostFromPodAnnotations(annotations: Readonly<Record<string, string>> | undefined): number {
  const value = annotations?.[POD_DELETION_COST];
  if (value === undefined) return 0;
  const validFirst = value.startsWith("-") || value === "0" || /^[1-9]/.test(value);
  if (!validFirst || !/^-?[0-9]+$/.test(value)) return 0;
  const n = Number(value);
  return n >= INT32_MIN && n <= INT32_MAX ? n : 0;
}

/** `maxContainerRestarts`: the highest `restartCount` among `status.containerStatuses`. */
export function maxContainerRestarts(pod: KubeObject): number {
  const statuses = statusOf(pod).containerStatuses;
  if (!Array.isArray(statuses)) return 0;
  let max = 0;
  for (const s of statuses) {
    const n = isJsonObject(s) && typeof s.restartCount === "number" ? s.restartCount : 0;
    if (n > max) max = n;
  }
  return max;
}

/** `podReadyTime`: when the Ready condition turned True, or undefined (Go's zero time). */
function podReadyTime(pod: KubeObject): number | undefined {
  const ready = getCondition(pod, "Ready");
  return ready?.status === "True" ? timeOf(ready.lastTransitionTime) : undefined;
}

/** `afterOrZero`: a zero time counts as after any other time. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** `logarithmicRankDiff`: compares floor(log2(age in nanoseconds)), -1 for a non-positive age. */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number): number => {
    const ns = (now - t) * 1e6;
    return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
  };
  return rank(t1) - rank(t2);
}

/** Rules 6 and 8: newer first, in logarithmic buckets, ties broken by UID. */
function newerFirst(a: Ranked, b: Ranked, ta: number | undefined, tb: number | undefined, now: number): boolean {
  if (ta === undefined || tb === undefined) return afterOrZero(ta, tb);
  const diff = logarithmicRankDiff(ta, tb, now);
  if (diff === 0) return (a.pod.metadata.uid ?? "") < (b.pod.metadata.uid ?? "");
  return diff < 0;
}

interface Ranked {
  pod: KubeObject;
  rank: number;
}

const nodeNameOf = (pod: KubeObject): string => stringField(specOf(pod), "nodeName");

/** `ActivePodsWithRanks.Less`: true when `a` should be deleted before `b`. */
function less(a: Ranked, b: Ranked, now: number): boolean {
  const [na, nb] = [nodeNameOf(a.pod), nodeNameOf(b.pod)];
  // 1. Unassigned < assigned.
  if (na !== nb && (na === "" || nb === "")) return na === "";
  // 2. Pending < Unknown < Running.
  const [pa, pb] = [PHASE_ORDINAL[phaseOf(a.pod)] ?? 0, PHASE_ORDINAL[phaseOf(b.pod)] ?? 0];
  if (pa !== pb) return pa < pb;
  // 3. Not ready < ready.
  const [ra, rb] = [isPodReady(a.pod), isPodReady(b.pod)];
  if (ra !== rb) return !ra;
  // 4. Lower pod-deletion-cost < higher.
  const ca = getDeletionCostFromPodAnnotations(a.pod.metadata.annotations);
  const cb = getDeletionCostFromPodAnnotations(b.pod.metadata.annotations);
  if (ca !== cb) return ca < cb;
  // 5. More related pods on the same node < fewer.
  if (a.rank !== b.rank) return a.rank > b.rank;
  // 6. Ready for less time < ready for longer.
  if (ra && rb) {
    const [ta, tb] = [podReadyTime(a.pod), podReadyTime(b.pod)];
    if (ta !== tb) return newerFirst(a, b, ta, tb, now);
  }
  // 7. More restarts < fewer.
  const [xa, xb] = [maxContainerRestarts(a.pod), maxContainerRestarts(b.pod)];
  if (xa !== xb) return xa > xb;
  // 8. Newer < older.
  const [ta, tb] = [timeOf(a.pod.metadata.creationTimestamp), timeOf(b.pod.metadata.creationTimestamp)];
  if (ta !== tb) return newerFirst(a, b, ta, tb, now);
  return false;
}

/**
 * `getPodsRankedByRelatedPodsOnSameNode` + `sort.Sort(ActivePodsWithRanks)`:
 * each pod's rank is the number of active `related` pods on its node
 * (unassigned pods share the "" node); the result lists the pods to delete first.
 */
export function rankPodsForDeletion(pods: readonly KubeObject[], related: readonly KubeObject[], now: Date): KubeObject[] {
  const podsOnNode = new Map<string, number>();
  for (const p of related) {
    if (isPodActive(p)) podsOnNode.set(nodeNameOf(p), (podsOnNode.get(nodeNameOf(p)) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: podsOnNode.get(nodeNameOf(pod)) ?? 0 }));
  const t = now.getTime();
  // Go's sort.Sort is not stable; a stable sort makes equal pods keep their list order.
  ranked.sort((a, b) => (less(a, b, t) ? -1 : less(b, a, t) ? 1 : 0));
  return ranked.map((r) => r.pod);
}
