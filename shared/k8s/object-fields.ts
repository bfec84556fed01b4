/**
 * @module
 * The field sets of objects (FieldsV1, field-set.ts): what an update changed
 * and removed (upstream's typed Compare) and what an applied configuration
 * sets (ToFieldSet), each in one walk over the objects. Lists are keyed or
 * sets where the strategic-merge-patch metadata merges them, else atomic.
 */
import {
  type FieldSet, elementKey, fieldKey, hasChildren, joinPath, mergedList, nodeOf, put, type Scope, untracked,
} from "./field-set";
import { getMember } from "./json-value";
import { isJsonObject, type Json, type JsonObject } from "./object";
import type { PatchMeta, PatchMetaEntry } from "./resource-kind";

/**
 * Every field of `value` as added: each node, maps and list elements
 * included, is a member (what an update that creates it owns), except the
 * top-level maps (metadata, spec, status), which upstream's typed objects
 * always have. `depth` is the field's (1 at the top level).
 */
function addedTree(value: Json, meta: PatchMeta, path: string, depth: number, scope: Scope): FieldSet | undefined {
  if (isJsonObject(value)) {
    let children: FieldSet | undefined;
    for (const key in value) {
      const v = value[key];
      const childPath = joinPath(path, key);
      if (v === undefined || (depth <= 1 && untracked(scope, childPath, depth))) continue;
      children = put(children, fieldKey(key), addedTree(v, meta, childPath, depth + 1, scope));
    }
    return depth === 1 ? nodeOf(false, children) : (nodeOf(true, children) ?? {});
  }
  const entry = Array.isArray(value) ? mergedList(meta, path) : undefined;
  if (Array.isArray(value) && entry) {
    let children: FieldSet | undefined;
    const elementPath = `${path}[]`;
    value.forEach((element, i) => {
      const key = elementKey(element, entry, i);
      if (children === undefined || !Object.hasOwn(children, key)) children = put(children, key, addedTree(element, meta, elementPath, depth + 1, scope));
    });
    return nodeOf(true, children) ?? {};
  }
  return {};
}

/** Fields an update changed (added or modified; all members) and removed (a leaf removes its whole subtree). */
export interface Comparison {
  changed: FieldSet;
  removed: FieldSet;
}

/** Both sides of a comparison at one node. */
interface Diff {
  changed?: FieldSet;
  removed?: FieldSet;
}

/**
 * Compares two versions of an object (`before` undefined: a create), as
 * upstream's typed Compare: fields added or modified are `changed`, fields
 * gone are `removed`. Lists are compared by element identity where the patch
 * metadata merges them, else as one value. One walk over both objects.
 */
export function compareObjects(before: JsonObject | undefined, after: JsonObject, meta: PatchMeta, scope: Scope): Comparison {
  const diff = compareMaps(before ?? {}, after, meta, "", 0, scope);
  return { changed: diff.changed ?? {}, removed: diff.removed ?? {} };
}

function compareValues(a: Json | undefined, b: Json | undefined, meta: PatchMeta, path: string, depth: number, scope: Scope): Diff {
  if (a === undefined) return b === undefined ? {} : { changed: addedTree(b, meta, path, depth, scope) };
  if (b === undefined) return { removed: {} };
  if (isJsonObject(a) && isJsonObject(b)) return compareMaps(a, b, meta, path, depth, scope);
  const entry = Array.isArray(a) && Array.isArray(b) ? mergedList(meta, path) : undefined;
  if (entry && Array.isArray(a) && Array.isArray(b)) return compareLists(a, b, entry, meta, path, depth, scope);
  if (a === b || (typeof a === "object" && sameJson(a, b))) return {};
  if (sameShape(a, b)) return { changed: {} };
  // A value of another type replaces the old one whole: its old subtree is gone, the new one is the writer's.
  return { changed: addedTree(b, meta, path, depth, scope), ...(typeof a === "object" && a !== null ? { removed: {} } : {}) };
}

function sameShape(a: Json, b: Json): boolean {
  return Array.isArray(a) === Array.isArray(b) && isJsonObject(a) === isJsonObject(b);
}

function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i] as Json));
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    let n = 0;
    for (const k in a) {
      if (a[k] === undefined) continue;
      n++;
      const v = getMember(b, k);
      if (v === undefined || !sameJson(a[k] as Json, v)) return false;
    }
    for (const k in b) if (b[k] !== undefined) n--;
    return n === 0;
  }
  return false;
}

function compareMaps(a: JsonObject, b: JsonObject, meta: PatchMeta, path: string, depth: number, scope: Scope): Diff {
  let changed: FieldSet | undefined;
  let removed: FieldSet | undefined;
  for (const key in b) {
    const childPath = joinPath(path, key);
    if (depth <= 1 && untracked(scope, childPath, depth)) continue;
    const d = compareValues(getMember(a, key), b[key], meta, childPath, depth + 1, scope);
    changed = put(changed, fieldKey(key), d.changed);
    removed = put(removed, fieldKey(key), d.removed);
  }
  for (const key in a) {
    if (a[key] === undefined || getMember(b, key) !== undefined) continue;
    const childPath = joinPath(path, key);
    if (depth <= 1 && untracked(scope, childPath, depth)) continue;
    removed = put(removed, fieldKey(key), {});
  }
  return { changed, removed };
}

/** The first element of each identity in a list (later duplicates are not told apart, as upstream's sets cannot). */
function indexElements(list: Json[], entry: PatchMetaEntry): Map<string, Json> {
  const byKey = new Map<string, Json>();
  list.forEach((element, i) => {
    const key = elementKey(element, entry, i);
    if (!byKey.has(key)) byKey.set(key, element);
  });
  return byKey;
}

function compareLists(a: Json[], b: Json[], entry: PatchMetaEntry, meta: PatchMeta, path: string, depth: number, scope: Scope): Diff {
  const before = indexElements(a, entry);
  const elementPath = `${path}[]`;
  let changed: FieldSet | undefined;
  let removed: FieldSet | undefined;
  const seen = new Set<string>();
  b.forEach((element, i) => {
    const key = elementKey(element, entry, i);
    if (seen.has(key)) return;
    seen.add(key);
    const d = compareValues(before.get(key), element, meta, elementPath, depth + 1, scope);
    changed = put(changed, key, d.changed);
    removed = put(removed, key, d.removed);
  });
  for (const key of before.keys()) if (!seen.has(key)) removed = put(removed, key, {});
  return { changed, removed };
}

/**
 * The fields an applied configuration sets, as upstream's ToFieldSet: every
 * scalar and atomic list, every element of a merged list (with its fields),
 * empty maps and explicit nulls; maps with content only through their fields.
 */
export function appliedFields(applied: JsonObject, meta: PatchMeta, scope: Scope): FieldSet {
  return appliedMap(applied, meta, "", 0, scope) ?? {};
}

function appliedMap(value: JsonObject, meta: PatchMeta, path: string, depth: number, scope: Scope): FieldSet | undefined {
  let children: FieldSet | undefined;
  for (const key in value) {
    const v = value[key];
    if (v === undefined) continue;
    const childPath = joinPath(path, key);
    if (depth <= 1 && untracked(scope, childPath, depth)) continue;
    children = put(children, fieldKey(key), appliedValue(v, meta, childPath, depth + 1, scope));
  }
  return children;
}

function appliedValue(value: Json, meta: PatchMeta, path: string, depth: number, scope: Scope): FieldSet | undefined {
  // An empty map is a value of its own (the applier wants it empty); so is an explicit null.
  // A map of server-owned fields only (metadata with just a name) sets nothing.
  if (isJsonObject(value)) return appliedMap(value, meta, path, depth, scope) ?? (hasChildren(value) ? undefined : {});
  const entry = Array.isArray(value) ? mergedList(meta, path) : undefined;
  if (!Array.isArray(value) || !entry) return {};
  let children: FieldSet | undefined;
  const elementPath = `${path}[]`;
  value.forEach((element, i) => {
    const key = elementKey(element, entry, i);
    if (children !== undefined && Object.hasOwn(children, key)) return;
    const below = isJsonObject(element) ? appliedMap(element, meta, elementPath, depth + 1, scope) : undefined;
    children = put(children, key, nodeOf(true, below));
  });
  // An empty merged list sets nothing (upstream: no element, so no path).
  return children;
}
