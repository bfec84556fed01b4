/**
 * @module
 * Condition list edits, each with its upstream's exact rule for when an
 * existing condition is kept (which decides whether `lastTransitionTime` moves).
 */
import { isJsonObject, type Json, type JsonObject } from "../../../shared/k8s/object";
import type { Condition } from "./object-fields";

/** `RemoveCondition` / `filterOutCondition`: every condition except those of `type`. */
export function removeCondition(conditions: readonly Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

/**
 * ReplicaSet `SetCondition`: unchanged when a condition of the same type has
 * the same status and reason; otherwise the old one is dropped and `cond` appended.
 */
export function setReplicaSetCondition(conditions: readonly Condition[], cond: Condition): Condition[] {
  const current = conditions.find((c) => c.type === cond.type);
  if (current !== undefined && current.status === cond.status && current.reason === cond.reason) return [...conditions];
  return [...removeCondition(conditions, cond.type), cond];
}

/**
 * KubeVirt `VirtualMachineConditionManager.UpdateCondition`: replaced in
 * place only when status or reason differ, appended when missing.
 */
export function updateVMCondition(conditions: readonly Condition[], cond: Condition): Condition[] {
  const i = conditions.findIndex((c) => c.type === cond.type);
  if (i < 0) return [...conditions, cond];
  const current = conditions[i];
  if (current === undefined || (current.status === cond.status && current.reason === cond.reason)) return [...conditions];
  return conditions.map((c, j) => (j === i ? cond : c));
}

/** A pod (or VMI) condition to set: type and status, with an optional reason and message. */
export interface ConditionUpdate {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/**
 * `podutil.UpdatePodCondition`: replaces the condition of `cond.type` (or
 * appends it), keeping `lastTransitionTime` while the status stays the same,
 * and says whether anything changed. Works on the raw JSON so fields this
 * server does not model survive. KubeVirt copies the launcher pod's
 * PodScheduled condition into the VMI the same way.
 */
export function updatePodCondition(
  conditions: readonly Json[],
  cond: ConditionUpdate,
  stamp: string,
): { conditions: Json[]; changed: boolean } {
  const index = conditions.findIndex((c) => isJsonObject(c) && c.type === cond.type);
  const old = index >= 0 ? conditions[index] : undefined;
  const next: JsonObject = { type: cond.type, status: cond.status, lastProbeTime: null, lastTransitionTime: stamp };
  if (cond.reason) next.reason = cond.reason;
  if (cond.message) next.message = cond.message;
  if (!isJsonObject(old)) return { conditions: [...conditions, next], changed: true };
  if (old.status === cond.status && old.lastTransitionTime !== undefined) next.lastTransitionTime = old.lastTransitionTime;
  const same = old.status === next.status && (old.reason ?? "") === (next.reason ?? "") &&
    (old.message ?? "") === (next.message ?? "") && (old.lastProbeTime ?? null) === null &&
    old.lastTransitionTime === next.lastTransitionTime;
  return { conditions: conditions.map((c, i) => (i === index ? next : c)), changed: !same };
}
