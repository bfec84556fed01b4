/**
 * @module
 * Condition list edits, each with its upstream's exact rule for when an
 * existing condition is kept (which decides whether `lastTransitionTime` moves).
 */
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
