/**
 * @module
 * The taint manager's rule for NoExecute taints a user put on a Node
 * (`kubectl taint nodes host-2 k=v:NoExecute`; kubernetes
 * pkg/controller/tainteviction): a bound pod that does not tolerate every
 * NoExecute taint is evicted at once; one that does is evicted after the
 * smallest `tolerationSeconds` of the tolerations it used, counted from when
 * the taint was added; without any `tolerationSeconds` it stays.
 */
import { isJsonObject, type Json, type KubeObject } from "../../../shared/k8s/object";
import { isConflict, isNotFound } from "../../client/errors";
import { writeObject } from "../../objects/client";
import { objectRefOf } from "../../registry";
import { recordEvent } from "../shared/events";
import { nodeTaints, tolerates, type Taint } from "../scheduler/scheduler-filters";
import { specOf, timeOf } from "../shared/object-fields";

/** When `pod` must go from a node with these taints: "now", a time (ms), or undefined (never). */
export function noExecuteDeadline(node: KubeObject, pod: KubeObject, now: number): "now" | number | undefined {
  const taints = nodeTaints(node).filter((t) => t.effect === "NoExecute");
  if (taints.length === 0) return undefined;
  const raw = specOf(pod).tolerations;
  const tolerations: Json[] = Array.isArray(raw) ? raw : [];
  let deadline: number | undefined;
  for (const taint of taints) {
    const used = tolerations.filter((t) => tolerates(t, taint));
    if (used.length === 0) return "now";
    const seconds = used.map((t) => (isJsonObject(t) && typeof t.tolerationSeconds === "number" ? t.tolerationSeconds : undefined));
    const bounded = seconds.filter((s): s is number => s !== undefined);
    if (bounded.length === 0) continue;
    const at = addedAt(node, taint, now) + Math.max(0, Math.min(...bounded)) * 1000;
    deadline = Math.min(deadline ?? Infinity, at);
  }
  if (deadline !== undefined && deadline <= now) return "now";
  return deadline;
}

/** When a taint was added (its `timeAdded`, which kubectl sets on NoExecute taints), else now. */
function addedAt(node: KubeObject, taint: Taint, now: number): number {
  const raw = specOf(node).taints;
  const found = Array.isArray(raw)
    ? raw.find((t) => isJsonObject(t) && t.key === taint.key && t.effect === taint.effect && (t.value ?? "") === taint.value)
    : undefined;
  return (isJsonObject(found) ? timeOf(found.timeAdded) : undefined) ?? now;
}

/** Whether a Node carries a NoExecute taint. */
export function hasNoExecuteTaint(node: KubeObject): boolean {
  return nodeTaints(node).some((t) => t.effect === "NoExecute");
}

/**
 * Evicts the pods bound to `node` whose NoExecute deadline passed (deleted
 * with default options and a TaintManagerEviction Event, as upstream);
 * answers the seconds until the next deadline, if any.
 */
export async function evictForNoExecuteTaints(env: Env, node: KubeObject, pods: readonly KubeObject[], now: number): Promise<number | undefined> {
  if (!hasNoExecuteTaint(node)) return undefined;
  let next: number | undefined;
  for (const pod of pods) {
    if (pod.kind !== "Pod" || pod.metadata.deletionTimestamp) continue;
    const deadline = noExecuteDeadline(node, pod, now);
    if (deadline === undefined) continue;
    if (deadline !== "now") {
      next = Math.min(next ?? Infinity, (deadline - now) / 1000);
      continue;
    }
    const ref = objectRefOf(pod);
    await recordEvent(env, pod, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${ref.namespace}/${ref.name}`, "taint-eviction-controller");
    try {
      await writeObject(env, ref, { verb: "delete", options: { preconditions: { uid: pod.metadata.uid ?? "" } } });
    } catch (err) {
      if (!(isNotFound(err) || isConflict(err))) throw err;
    }
  }
  return next;
}
