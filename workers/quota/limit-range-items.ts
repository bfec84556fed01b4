/**
 * @module
 * A stored LimitRange's items, as the QuotaSet keeps them.
 */
import type { KubeObject } from "../../shared/k8s/object";
import type { LimitRange, LimitRangeItem } from "../../shared/schemas";

/** `spec.limits` of a stored LimitRange (decoded by its schema on every write). */
export function limitRangeItems(lr: KubeObject): LimitRangeItem[] {
  return (lr as unknown as LimitRange).spec?.limits ?? [];
}
