/**
 * @module
 * Kubernetes strategic merge patch (`application/strategic-merge-patch+json`),
 * the patch type kubectl sends for built-in kinds (Pod, ReplicaSet) on
 * `kubectl apply` and by default on `kubectl patch`. Mirrors
 * `StrategicMergeMapPatch` of k8s.io/apimachinery/pkg/util/strategicpatch as
 * kube-apiserver runs it (parallel lists merged, unmatched nulls ignored), with
 * the Go struct tags `patchStrategy`/`patchMergeKey` replaced by a
 * {@link PatchMeta} table.
 * @see https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/
 */
import { canonicalJson } from "./element-index";
import { copyJson, getMember, setMember } from "./json-value";
import { isJsonObject, type Json, type JsonObject } from "./object";
import type { PatchMeta } from "./resource-kind";
import {
  applyRetainKeys,
  badPrimitiveListFormat,
  badSetElementOrderFormat,
  checkSetElementOrder,
  DELETE_FROM_PRIMITIVE_LIST,
  DIRECTIVE_MARKER,
  directiveField,
  SET_ELEMENT_ORDER,
  unknownPatchType,
} from "./strategic-merge-patch-directives";
import { materializeAll, mergeList, orderMerged, type ElementMerger } from "./strategic-merge-patch-lists";

export { objectMetaPatchMeta, podPatchMeta, podStatusPatchMeta } from "./strategic-merge-patch-meta";

/**
 * Applies a strategic merge patch to `target` and returns the result; neither
 * input is mutated and no directive survives in the result.
 * - maps merge recursively; `null` deletes a field;
 * - lists whose `meta` entry has strategy "merge" are merged by `mergeKey`
 *   (lists of primitives: union, minus `$deleteFromPrimitiveList/<field>`);
 *   all other lists are replaced;
 * - `$patch: replace` replaces a map; `$patch: delete` empties a map (upstream
 *   returns `{}`) or, in a merged list element, deletes that element;
 *   `{"$patch":"replace"}` in a merged list replaces the list;
 * - `$setElementOrder/<field>` sets the order of a merged list; `$retainKeys`
 *   clears the fields of a map it does not list.
 * Throws ApiError 400 for malformed directives (422 for lists of lists).
 * @example applyStrategicMergePatch(pod, { spec: { containers: [{ name: "web", image: "nginx:1.26" }] } }, podPatchMeta("spec"))
 */
export function applyStrategicMergePatch(target: JsonObject, patch: JsonObject, meta: PatchMeta): JsonObject {
  const merger = new Merger(meta);
  return merger.mergeMap(copyJson(target) as JsonObject, copyJson(patch) as JsonObject, "");
}

/** Walks a patch against an original; both are private copies that it may mutate. */
class Merger implements ElementMerger {
  constructor(private readonly meta: PatchMeta) {}

  /** Upstream `mergeMap`. */
  mergeMap(original: JsonObject, patch: JsonObject, path: string): JsonObject {
    const directive = getMember(patch, DIRECTIVE_MARKER);
    if (directive !== undefined) {
      if (directive === "delete") return {};
      if (directive !== "replace") throw unknownPatchType(directive, patch, path);
      delete patch[DIRECTIVE_MARKER];
      return this.mergeMap({}, patch, path);
    }
    applyRetainKeys(original, patch, path);
    this.applySetElementOrder(original, patch, path);

    const deletions: [string, Json][] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        deletions.push([directiveField(key, DELETE_FROM_PRIMITIVE_LIST, path), value]);
        continue;
      }
      if (value === null) {
        delete original[key];
        continue;
      }
      const merged = this.mergeValue(getMember(original, key), value, childPath(path, key));
      if (merged === undefined) delete original[key];
      else setMember(original, key, merged);
    }
    // Deletions run after additions: upstream's order is Go map order, i.e. unspecified.
    for (const [field, values] of deletions) deleteFromPrimitiveList(original, field, values, childPath(path, field));
    return original;
  }

  mergeElement(original: JsonObject, patch: JsonObject, path: string): JsonObject {
    return this.mergeMap(original, patch, path);
  }

  /**
   * A patch value for a field the original lacks (or has with another type):
   * upstream takes it with nulls and directive maps removed; we also resolve
   * nested `$setElementOrder`/`$retainKeys` so none is stored, and keep the
   * content of a `$patch: replace` map, which upstream drops.
   */
  materialize(patch: Json, path: string): Json | undefined {
    if (isJsonObject(patch)) {
      if (getMember(patch, DIRECTIVE_MARKER) === "delete") return undefined;
      return this.mergeMap({}, patch, path);
    }
    if (Array.isArray(patch)) return materializeAll(patch, `${path}[]`, this);
    return patch;
  }

  private mergeValue(current: Json | undefined, patch: Json, path: string): Json | undefined {
    const entry = this.meta[path];
    if (isJsonObject(patch)) {
      if (isJsonObject(current) && entry?.strategy !== "replace") return this.mergeMap(current, patch, path);
      return this.materialize(patch, path);
    }
    if (Array.isArray(patch) && Array.isArray(current) && entry?.strategy === "merge") {
      return mergeList(current, patch, entry, path, this);
    }
    return this.materialize(patch, path);
  }

  /**
   * Upstream `mergePatchIntoOriginal`: merges each list that has a
   * `$setElementOrder/<field>` and puts it in that order (elements the order
   * does not name keep their server positions). Consumes the directive and the
   * list from `patch`. Lists without merge strategy ignore the order.
   */
  private applySetElementOrder(original: JsonObject, patch: JsonObject, path: string): void {
    for (const key of Object.keys(patch)) {
      if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
      const order = getMember(patch, key);
      delete patch[key];
      const field = directiveField(key, SET_ELEMENT_ORDER, path);
      const fieldPath = childPath(path, field);
      if (!Array.isArray(order)) throw badSetElementOrderFormat(`${key} at ${path || "<root>"} must be a list`);
      const entry = this.meta[fieldPath];
      const patchList = getMember(patch, field);
      if (entry?.strategy !== "merge" || patchList === null) continue;
      if (patchList !== undefined && !Array.isArray(patchList)) {
        throw badSetElementOrderFormat(`${fieldPath} must be a list to be ordered by ${key}`);
      }
      const current = getMember(original, field);
      const currentList = Array.isArray(current) ? current : undefined;
      checkSetElementOrder(patchList ?? [], order, entry.mergeKey, fieldPath);

      let merged: Json[];
      if (patchList === undefined) {
        if (currentList === undefined) continue;
        merged = currentList;
      } else {
        merged = currentList
          ? mergeList(currentList, patchList, entry, fieldPath, this)
          : materializeAll(patchList, `${fieldPath}[]`, this);
        delete patch[field];
      }
      setMember(original, field, orderMerged(merged, order, currentList ?? [], entry.mergeKey));
    }
  }
}

/** `$deleteFromPrimitiveList/<field>`: removes the listed values from the field's list, whatever its strategy. */
function deleteFromPrimitiveList(original: JsonObject, field: string, values: Json, path: string): void {
  if (!Array.isArray(values) || values.some((v) => isJsonObject(v) || Array.isArray(v))) {
    throw badPrimitiveListFormat(`${DELETE_FROM_PRIMITIVE_LIST}/${field} for ${path} must be a list of primitive values`);
  }
  const current = getMember(original, field);
  if (!Array.isArray(current)) return;
  const drop = new Set(values.map((v) => canonicalJson(v)));
  setMember(
    original,
    field,
    current.filter((v) => !drop.has(canonicalJson(v))),
  );
}

function childPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}
