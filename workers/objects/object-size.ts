/**
 * @module
 * The size limit of stored objects, checked on the planned next state before
 * the object store records anything: a write that passes it fits every row
 * the stores write for it, so it can never fail at a later storage step.
 */
import { MAX_OBJECT_BYTES, objectTooLarge, utf8Length } from "../../shared/k8s/limits";
import type { KubeObject } from "../../shared/k8s/object";

/**
 * The most one SQLite row may hold for an object (Durable Object SQLite rows
 * are limited to 2 MB). The collection's latest-state row holds the object and
 * a copy of its labels; the margin covers its key, name and the
 * resourceVersion the collection writes into it.
 */
const MAX_ROW_PAYLOAD_BYTES = 1_900_000;

/**
 * Refuses (413, etcd's "request is too large") an object whose JSON exceeds
 * MAX_OBJECT_BYTES, or whose labels are so large that object and labels
 * together would not fit one row.
 */
export function checkObjectSize(object: KubeObject): void {
  const bytes = utf8Length(JSON.stringify(object));
  if (bytes > MAX_OBJECT_BYTES) throw objectTooLarge();
  const labels = utf8Length(JSON.stringify(object.metadata.labels ?? {}));
  if (bytes + labels > MAX_ROW_PAYLOAD_BYTES) throw objectTooLarge();
}
