/**
 * @module
 * `metadata.managedFields` for the writes that are upstream "Update"
 * operations (create, update, patch, scale): the fields a write changes
 * become its manager's and are taken from every other manager. Server-side
 * apply keeps its own books (shared/k8s/server-side-apply.ts).
 */
import { compareObjects } from "../../shared/k8s/object-fields";
import type { Scope } from "../../shared/k8s/field-set";
import { jsonEqual } from "../../shared/k8s/json-value";
import { type ManagedFieldsEntry, recordUpdate, storedEntries } from "../../shared/k8s/managed-fields";
import { requestedEntries } from "../../shared/k8s/managed-fields-request";
import type { Json, JsonObject, KubeObject } from "../../shared/k8s/object";
import { apiVersionOf, type ResourceKind } from "../../shared/k8s/resource-kind";
import { formatTime } from "../../shared/k8s/time";

/** Where a write went: the main resource or a subresource. */
export type TrackedSubresource = "" | "status" | "scale";

/** Sets `obj`'s managedFields to `entries` (none: the member goes, as upstream never serves an empty list). */
export function setManagedFields(obj: KubeObject, entries: ManagedFieldsEntry[]): void {
  if (entries.length === 0) delete obj.metadata.managedFields;
  else obj.metadata.managedFields = entries as unknown as Json[];
}

/**
 * The entries an update starts from when not the stored ones: those the client sent, when it sent a
 * non-empty list that differs from the stored one to the main resource
 * (upstream lets a client replace them; `[{}]` clears them), else the
 * stored ones. Sent entries are validated (422).
 */
function sentEntries(kind: ResourceKind, current: KubeObject | undefined, next: KubeObject, requested: Json | undefined, subresource: TrackedSubresource): ManagedFieldsEntry[] | undefined {
  const stored = current?.metadata.managedFields;
  if (subresource !== "" || requested === undefined || requested === null) return undefined;
  if (Array.isArray(requested) && requested.length === 0) return undefined;
  if (stored !== undefined && jsonEqual(requested, stored)) return undefined;
  return requestedEntries(requested, kind.kind, next.metadata.name ?? "", kind.group);
}

/**
 * Records an Update by `manager` that turns `current` (undefined: a create)
 * into `next`, in `next.metadata.managedFields`. `requested` is the
 * managedFields the request carried (the body of a create or update, the
 * patched document of a patch). A write without a manager (the server's own
 * bookkeeping) keeps the entries as they are.
 * @returns true when the entries differ from the stored ones (a write that
 * changes nothing else must still be stored then)
 */
export function trackUpdate(
  kind: ResourceKind,
  current: KubeObject | undefined,
  next: KubeObject,
  write: { manager?: string; requested?: Json; subresource: TrackedSubresource; now: number; scope?: Scope },
): boolean {
  const sent = sentEntries(kind, current, next, write.requested, write.subresource);
  const fromRequest = sent !== undefined;
  const base = sent ?? storedEntries(current?.metadata.managedFields);
  if (write.manager === undefined) {
    setManagedFields(next, base);
    return fromRequest;
  }
  const cmp = compareObjects(
    current as unknown as JsonObject | undefined,
    next as unknown as JsonObject,
    kind.patchMeta ?? {},
    write.scope ?? (write.subresource === "status" ? "status" : "main"),
  );
  const who = { manager: write.manager, operation: "Update" as const, apiVersion: apiVersionOf(kind), subresource: write.subresource };
  const recorded = recordUpdate(base, cmp, who, formatTime(write.now));
  setManagedFields(next, recorded.entries);
  return fromRequest || recorded.changed;
}
