/**
 * @module
 * List handling of strategic merge patch for lists whose patch strategy is
 * `merge` (upstream `mergeSlice`, `mergeSliceWithSpecialElements` and the
 * ordering of `normalizeElementOrder` / `mergeSortedSlice` in
 * k8s.io/apimachinery/pkg/util/strategicpatch/patch.go).
 */
import { badRequest } from "./errors";
import { ElementIndex, identityKey } from "./element-index";
import { getMember } from "./json-value";
import { isJsonObject, type Json, type JsonObject } from "./object";
import type { PatchMetaEntry } from "./resource-kind";
import {
  DIRECTIVE_MARKER,
  noListOfLists,
  noMergeKey,
  preview,
  unknownPatchType,
} from "./strategic-merge-patch-directives";

/** How list elements are merged and built: supplied by the map merger (they recurse into each other). */
export interface ElementMerger {
  /** Merges a patch element into a matching original element (both owned by the caller). */
  mergeElement(original: JsonObject, patch: JsonObject, path: string): JsonObject;
  /** Builds a new element from a patch element, resolving its directives; undefined drops it. */
  materialize(patch: Json, path: string): Json | undefined;
}

/**
 * Merges `patch` into `original` for a list with merge strategy. Maps are
 * matched by `entry.mergeKey` and merged; unmatched ones are added. Primitive
 * lists become the union. `{"$patch":"delete", <key>: v}` deletes the element
 * with that key and `{"$patch":"replace"}` makes the other patch elements the
 * whole list. Order: patch elements keep the patch's order and elements only
 * on the server keep theirs, interleaved by their positions in `original`
 * (so an element new to the list comes before the server-only ones after it).
 */
export function mergeList(
  original: readonly Json[],
  patch: readonly Json[],
  entry: PatchMetaEntry,
  path: string,
  merger: ElementMerger,
): Json[] {
  if (original.length === 0 && patch.length === 0) return [];
  const elementPath = `${path}[]`;
  if (!elementsAreMaps(original, patch, path)) {
    const merged: Json[] = [];
    const seen = new Set<string>();
    for (const v of [...original, ...patch]) {
      const key = identityKey(v, undefined) as string;
      if (!seen.has(key)) {
        seen.add(key);
        merged.push(v);
      }
    }
    return orderMerged(merged, patch, original, undefined);
  }

  const mergeKey = entry.mergeKey;
  if (mergeKey === undefined) throw badRequest(`cannot merge lists without merge key for ${path}`);
  const deleted = new Set<string>();
  const plain: JsonObject[] = [];
  let replace = false;
  for (const element of patch as JsonObject[]) {
    const directive = getMember(element, DIRECTIVE_MARKER);
    if (directive === undefined) {
      plain.push(element);
    } else if (directive === "delete") {
      const key = identityKey(element, mergeKey);
      if (key === undefined) throw noMergeKey(element, mergeKey, path);
      deleted.add(key);
    } else if (directive === "replace") {
      replace = true;
    } else if (directive === "merge") {
      throw badRequest(`merging lists cannot yet be specified in the patch (at ${path})`);
    } else {
      throw unknownPatchType(directive, element, path);
    }
  }
  if (replace) return materializeAll(plain, elementPath, merger);
  const base = deleted.size === 0 ? [...original] : original.filter((o) => !deleted.has(identityKey(o, mergeKey) ?? ""));

  const merged: Json[] = [...base];
  const index = new ElementIndex(merged, mergeKey);
  for (const element of plain) {
    if (getMember(element, mergeKey) === undefined) throw noMergeKey(element, mergeKey, path);
    const at = index.indexOf(element);
    const match = merged[at];
    if (isJsonObject(match)) {
      merged[at] = merger.mergeElement(match, element, elementPath);
    } else {
      const built = merger.materialize(element, elementPath);
      if (built !== undefined) {
        index.add(built, merged.length);
        merged.push(built);
      }
    }
  }
  return orderMerged(merged, plain, base, mergeKey);
}

/** Builds every element of a list that replaces (or newly creates) a field, dropping directive-only ones. */
export function materializeAll(list: readonly Json[], elementPath: string, merger: ElementMerger): Json[] {
  const out: Json[] = [];
  for (const element of list) {
    const built = merger.materialize(element, elementPath);
    if (built !== undefined) out.push(built);
  }
  return out;
}

/**
 * Orders a merged list: elements named in `patchOrder` take that order, the
 * rest keep their order in `serverOrder`, and the two are interleaved by
 * `serverOrder` (upstream `normalizeElementOrder`). Also applies `$setElementOrder`.
 */
export function orderMerged(
  merged: readonly Json[],
  patchOrder: readonly Json[],
  serverOrder: readonly Json[],
  mergeKey: string | undefined,
): Json[] {
  const inPatch = new ElementIndex(patchOrder, mergeKey);
  const inServer = new ElementIndex(serverOrder, mergeKey);
  const fromPatch: Json[] = [];
  const serverOnly: Json[] = [];
  for (const element of merged) {
    (inPatch.indexOf(element) >= 0 ? fromPatch : serverOnly).push(element);
  }
  const left = sortByOrder(serverOnly, inServer);
  const right = sortByOrder(fromPatch, inPatch);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = inServer.indexOf(left[i] as Json);
    const ri = inServer.indexOf(right[j] as Json);
    // A server-only element goes first only when both are known to the server and it came first there.
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++] as Json);
    else out.push(right[j++] as Json);
  }
  return [...out, ...left.slice(i), ...right.slice(j)];
}

function sortByOrder(items: readonly Json[], order: ElementIndex): Json[] {
  const ranked = items.map((item) => {
    const at = order.indexOf(item);
    return { item, rank: at < 0 ? Number.MAX_SAFE_INTEGER : at };
  });
  // Array.prototype.sort is stable, as upstream's sort.SliceStable.
  return ranked.sort((a, b) => a.rank - b.rank).map((r) => r.item);
}

/** True for lists of maps, false for lists of primitives; rejects lists of lists and mixed lists. */
function elementsAreMaps(original: readonly Json[], patch: readonly Json[], path: string): boolean {
  let maps: boolean | undefined;
  for (const element of [...original, ...patch]) {
    if (Array.isArray(element)) throw noListOfLists(path);
    const isMap = isJsonObject(element);
    if (maps !== undefined && maps !== isMap) {
      throw badRequest(
        `list element types are not identical in ${path}: ${preview(original as Json[])} and ${preview(patch as Json[])}`,
      );
    }
    maps = isMap;
  }
  return maps === true;
}
