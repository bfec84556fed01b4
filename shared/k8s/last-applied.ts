/**
 * @module
 * Upgrading from client-side to server-side apply, as upstream's
 * lastAppliedManager does: when `kubectl apply --server-side` (manager
 * `kubectl`) conflicts only on fields the client-side apply annotation
 * (`kubectl.kubernetes.io/last-applied-configuration`) lists with the value
 * the object still has, those fields were kubectl's own, so the apply goes
 * ahead as if forced.
 * @see https://kubernetes.io/docs/reference/using-api/server-side-apply/#upgrading-from-client-side-apply-to-server-side-apply
 */
import { difference, type FieldSet, isEmptySet, type Scope, withoutSubtrees } from "./field-set";
import type { Conflict } from "./managed-fields";
import { appliedFields, compareObjects } from "./object-fields";
import { isJsonObject, type JsonObject } from "./object";
import type { PatchMeta } from "./resource-kind";

/** The annotation kubectl's client-side apply keeps the last applied configuration in. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * The fields the live object's last-applied annotation may hand over to
 * kubectl's server-side apply: those it lists whose values the object still
 * has. Undefined when there is no usable annotation (absent, not JSON, or of
 * another API version).
 */
function handedOver(live: JsonObject, meta: PatchMeta, scope: Scope): FieldSet | undefined {
  const annotations = isJsonObject(live.metadata) ? live.metadata.annotations : undefined;
  const text = isJsonObject(annotations) ? annotations[LAST_APPLIED_ANNOTATION] : undefined;
  if (typeof text !== "string" || text === "") return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isJsonObject(last) || last.apiVersion !== live.apiVersion) return undefined;
  const cmp = compareObjects(last, live, meta, scope);
  return withoutSubtrees(difference(appliedFields(last, meta, scope), cmp.changed), cmp.removed);
}

/**
 * The conflicts left once the last-applied annotation has handed its fields
 * over (all of them or none, as upstream: any other conflict keeps only the
 * others). Only the manager `kubectl` is upgraded; other appliers get
 * `conflicts` back unchanged.
 */
export function conflictsAfterUpgrade(live: JsonObject, conflicts: Conflict[], manager: string, meta: PatchMeta, scope: Scope): Conflict[] {
  if (manager !== "kubectl" || conflicts.length === 0) return conflicts;
  const allowed = handedOver(live, meta, scope);
  if (allowed === undefined) return conflicts;
  return conflicts
    .map((c) => ({ manager: c.manager, fields: difference(c.fields, allowed) }))
    .filter((c) => !isEmptySet(c.fields));
}
