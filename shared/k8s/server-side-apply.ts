/**
 * @module
 * A simplified server-side apply (`application/apply-patch+yaml`, sent by
 * `kubectl apply --server-side`). Upstream (k8s.io/apiserver fieldmanager and
 * sigs.k8s.io/structured-merge-diff) tracks which manager owns each field in
 * `metadata.managedFields`, removes fields a manager stops applying and
 * reports conflicts between managers. We only merge.
 */
import { ElementIndex } from "./element-index";
import { copyJson, getMember, setMember } from "./json-value";
import { isJsonObject, type Json, type JsonObject } from "./object";
import type { PatchMeta, PatchMetaEntry } from "./resource-kind";

/**
 * Merges an applied configuration into the existing object:
 * - maps merge recursively, the applied value winning for each field;
 * - lists whose `meta` entry has strategy "merge" are merged: by `mergeKey`
 *   (matching elements merged, existing order kept, new ones appended) or, for
 *   lists of primitives, as a set union; every other list is replaced;
 * - `null` in the applied configuration means "no opinion" and leaves the
 *   existing value alone (generated manifests carry `creationTimestamp: null`).
 * Not implemented: managedFields bookkeeping, conflict detection (`force` has
 * no effect) and removal of fields a manager applied before but omits now, so
 * a field can only be removed with another patch type or an update.
 * If `existing` is undefined the result is the applied object (nulls dropped).
 * Inputs are never mutated.
 * @see https://kubernetes.io/docs/reference/using-api/server-side-apply/
 */
export function serverSideApply(
  existing: JsonObject | undefined,
  applied: JsonObject,
  meta: PatchMeta | undefined,
): JsonObject {
  const merger = new ApplyMerger(meta ?? {});
  return merger.applyMap(existing === undefined ? {} : (copyJson(existing) as JsonObject), applied, "");
}

class ApplyMerger {
  constructor(private readonly meta: PatchMeta) {}

  /** Merges `applied` into `target`, a private copy that is mutated and returned. */
  applyMap(target: JsonObject, applied: JsonObject, path: string): JsonObject {
    for (const [key, value] of Object.entries(applied)) {
      if (value === null) continue;
      const fieldPath = path === "" ? key : `${path}.${key}`;
      setMember(target, key, this.applyValue(getMember(target, key), value, fieldPath));
    }
    return target;
  }

  private applyValue(current: Json | undefined, applied: Json, path: string): Json {
    if (isJsonObject(applied)) return this.applyMap(isJsonObject(current) ? current : {}, applied, path);
    if (Array.isArray(applied)) {
      const entry = this.meta[path];
      if (entry?.strategy === "merge" && Array.isArray(current)) return this.mergeList(current, applied, entry, path);
      return applied.map((element) => this.applyValue(undefined, element, `${path}[]`));
    }
    return applied;
  }

  private mergeList(current: Json[], applied: Json[], entry: PatchMetaEntry, path: string): Json[] {
    const result = [...current];
    const key = entry.mergeKey;
    // Whole elements (a set of primitives such as finalizers) and elements by merge key, each found in O(1).
    const whole = new ElementIndex(result, undefined);
    const byKey = new ElementIndex(result, key);
    for (const element of applied) {
      const id = key !== undefined && isJsonObject(element) ? getMember(element, key) : undefined;
      if (key === undefined || !isJsonObject(element) || id === undefined) {
        // A set of primitives (finalizers), or an element we cannot match: add it unless already present.
        if (whole.indexOf(element) < 0) {
          const added = this.applyValue(undefined, element, `${path}[]`);
          whole.add(element, result.length);
          byKey.add(added, result.length);
          result.push(added);
        }
        continue;
      }
      const at = byKey.indexOf(element);
      const match = result[at];
      const merged = this.applyMap(isJsonObject(match) ? match : {}, element, `${path}[]`);
      if (at < 0) {
        whole.add(merged, result.length);
        byKey.add(merged, result.length);
        result.push(merged);
      } else {
        result[at] = merged;
      }
    }
    return result;
  }
}
