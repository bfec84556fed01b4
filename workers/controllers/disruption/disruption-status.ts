/**
 * @module
 * The disruption controller's arithmetic (kube-controller-manager
 * pkg/controller/disruption/disruption.go trySync): which pods a budget
 * counts, how many it expects and needs healthy, which admitted evictions it
 * still waits for (`disruptedPods`), and the status that follows. Pure, so
 * the eviction subresource and the tests share it.
 */
import { labelSelectorFromObject, type LabelSelector, type Selector } from "../../../shared/k8s/labels";
import type { JsonObject, KubeObject } from "../../../shared/k8s/object";
import { formatTime } from "../../../shared/k8s/time";
import { isPodReady } from "../replicaset/pod-readiness";
import type { Condition } from "../shared/object-fields";
import { isDeleting, specOf, statusOf, timeOf } from "../shared/object-fields";

/** How long an admitted eviction is waited for before the pod counts again (upstream DeletionTimeout, 2 min). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** The status condition the controller keeps (policy/v1 DisruptionAllowedCondition). */
export const DISRUPTION_ALLOWED = "DisruptionAllowed";

/** The numbers a budget publishes. */
export interface PdbStatus {
  observedGeneration: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions: Condition[];
}

/**
 * The budget's selector: a null selector matches no pod, an empty one every
 * pod of the namespace (policy/v1); undefined for an unparsable one.
 */
export function pdbSelector(pdb: KubeObject): Selector | undefined {
  const raw = specOf(pdb).selector;
  if (raw === undefined || raw === null) return undefined;
  try {
    return labelSelectorFromObject(raw as LabelSelector);
  } catch {
    return undefined;
  }
}

/** Whether `pdb` counts `pod`. */
export function pdbSelects(pdb: KubeObject, pod: KubeObject): boolean {
  if (pdb.metadata.namespace !== pod.metadata.namespace) return false;
  return pdbSelector(pdb)?.matches(pod.metadata.labels ?? {}) ?? false;
}

/** `intstr.GetScaledValueFromIntOrPercent(value, total, roundUp=true)`; undefined for a malformed percent. */
export function scaledValue(value: unknown, total: number): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return undefined;
  return Math.ceil((Number(m[1]) * total) / 100);
}

/**
 * `getExpectedPodCount`: with maxUnavailable or a percent minAvailable the
 * expected count is the sum of the desired replicas of the pods' controllers
 * (`controllerReplicas`, by the pods' controller uids; pods without one are
 * not counted); with an integer minAvailable it is the number of pods.
 * Throws an Error (its message becomes the SyncFailed condition) for a budget
 * it cannot compute.
 */
export function expectedPodCount(
  pdb: KubeObject, pods: readonly KubeObject[], controllerReplicas: ReadonlyMap<string, number>,
): { expectedCount: number; desiredHealthy: number } {
  const spec = specOf(pdb);
  const fromControllers = (): number => [...controllerReplicas.values()].reduce((a, b) => a + b, 0);
  if (spec.maxUnavailable !== undefined) {
    const expectedCount = fromControllers();
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedCount);
    if (maxUnavailable === undefined) throw new Error(`invalid maxUnavailable ${JSON.stringify(spec.maxUnavailable)}`);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable) };
  }
  if (typeof spec.minAvailable === "number") return { expectedCount: pods.length, desiredHealthy: spec.minAvailable };
  if (typeof spec.minAvailable === "string") {
    const expectedCount = fromControllers();
    const minAvailable = scaledValue(spec.minAvailable, expectedCount);
    if (minAvailable === undefined) throw new Error(`invalid minAvailable ${JSON.stringify(spec.minAvailable)}`);
    return { expectedCount, desiredHealthy: minAvailable };
  }
  // Neither set (defaulting gives minAvailable 1, so only a stored object from before could): nothing expected.
  return { expectedCount: 0, desiredHealthy: 0 };
}

/**
 * `buildDisruptedPodMap`: the admitted evictions still awaited — their pod
 * exists and is not yet being deleted, and the admission is younger than
 * DELETION_TIMEOUT — and when the oldest of them expires (ms from now).
 */
export function buildDisruptedPodMap(
  pods: readonly KubeObject[], pdb: KubeObject, now: number,
): { disrupted: Record<string, string>; recheckMs: number | undefined } {
  const recorded = statusOf(pdb).disruptedPods;
  const disrupted: Record<string, string> = {};
  let recheckMs: number | undefined;
  if (!recorded || typeof recorded !== "object" || Array.isArray(recorded)) return { disrupted, recheckMs };
  for (const pod of pods) {
    const name = pod.metadata.name ?? "";
    const at = (recorded as JsonObject)[name];
    if (isDeleting(pod) || typeof at !== "string") continue;
    const since = timeOf(at);
    if (since === undefined) continue;
    const expires = since + DELETION_TIMEOUT_MS;
    if (expires < now) continue;
    disrupted[name] = at;
    recheckMs = Math.min(recheckMs ?? Infinity, expires - now);
  }
  return { disrupted, recheckMs };
}

/** `countHealthyPods`: pods not being deleted, not awaiting an admitted eviction, and Ready. */
export function countHealthyPods(pods: readonly KubeObject[], disrupted: Readonly<Record<string, string>>): number {
  return pods.filter((p) => !isDeleting(p) && !Object.hasOwn(disrupted, p.metadata.name ?? "") && isPodReady(p)).length;
}

/**
 * `meta.SetStatusCondition`: `lastTransitionTime` moves only when the status
 * changes; reason and message are always updated.
 */
export function setStatusCondition(conditions: readonly Condition[], cond: Condition, now: number): Condition[] {
  const current = conditions.find((c) => c.type === cond.type);
  if (!current) return [...conditions, { ...cond, lastTransitionTime: formatTime(now) }];
  const lastTransitionTime = current.status === cond.status ? current.lastTransitionTime : formatTime(now);
  return conditions.map((c) => (c.type === cond.type ? { ...cond, lastTransitionTime } : c));
}

/** `UpdateDisruptionAllowedCondition`: True/SufficientPods when disruptions are allowed, else False/InsufficientPods. */
export function disruptionAllowedCondition(conditions: readonly Condition[], disruptionsAllowed: number, now: number): Condition[] {
  const cond: Condition = disruptionsAllowed > 0
    ? { type: DISRUPTION_ALLOWED, status: "True", reason: "SufficientPods", message: "" }
    : { type: DISRUPTION_ALLOWED, status: "False", reason: "InsufficientPods", message: "" };
  return setStatusCondition(conditions, cond, now);
}

function existingConditions(pdb: KubeObject): Condition[] {
  const raw = statusOf(pdb).conditions;
  return Array.isArray(raw) ? (raw as unknown as Condition[]) : [];
}

/**
 * `trySync` + `updatePdbStatus`: the budget's status for `pods` (the
 * namespace's pods; those it selects are picked here) and its controllers'
 * replicas, and when to look again for an admitted eviction that expires.
 * A budget it cannot compute gets `failSafe`'s status.
 */
export function calculatePdbStatus(
  pdb: KubeObject, pods: readonly KubeObject[], controllerReplicas: ReadonlyMap<string, number>, now: number,
): { status: PdbStatus; recheckMs: number | undefined } {
  const selected = pods.filter((p) => pdbSelects(pdb, p));
  const observedGeneration = pdb.metadata.generation ?? 1;
  let counts: { expectedCount: number; desiredHealthy: number };
  try {
    counts = expectedPodCount(pdb, selected, controllerReplicas);
  } catch (err) {
    return { status: failSafe(pdb, err instanceof Error ? err.message : String(err), now), recheckMs: undefined };
  }
  const { disrupted, recheckMs } = buildDisruptedPodMap(selected, pdb, now);
  const currentHealthy = countHealthyPods(selected, disrupted);
  let disruptionsAllowed = currentHealthy - counts.desiredHealthy;
  if (counts.expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const status: PdbStatus = {
    observedGeneration,
    ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy: counts.desiredHealthy,
    expectedPods: counts.expectedCount,
    conditions: disruptionAllowedCondition(existingConditions(pdb), disruptionsAllowed, now),
  };
  return { status, recheckMs };
}

/** `failSafe`: no disruption allowed, DisruptionAllowed False with reason SyncFailed and the error. */
export function failSafe(pdb: KubeObject, message: string, now: number): PdbStatus {
  const st = statusOf(pdb);
  const num = (v: unknown): number => (typeof v === "number" ? v : 0);
  return {
    observedGeneration: pdb.metadata.generation ?? 1,
    disruptionsAllowed: 0,
    currentHealthy: num(st.currentHealthy),
    desiredHealthy: num(st.desiredHealthy),
    expectedPods: num(st.expectedPods),
    conditions: setStatusCondition(existingConditions(pdb), { type: DISRUPTION_ALLOWED, status: "False", reason: "SyncFailed", message }, now),
  };
}
