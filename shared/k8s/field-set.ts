/**
 * @module
 * Sets of field paths in upstream's FieldsV1 format, the `fieldsV1` of a
 * `metadata.managedFields` entry (sigs.k8s.io/structured-merge-diff
 * fieldpath.Set). A set is a JSON object whose keys are path elements:
 * `f:<name>` a field, `k:{"name":"c"}` the element of a keyed list,
 * `v:"x"` the element of a set, `i:<n>` a list element without key. A node
 * `{}` is a member with nothing below it; a node with children is a member
 * only when it has the key `.`. The root is never a member, so `{}` at the
 * root is the empty set.
 *
 * The sets are worked on in this JSON form directly (no conversion to and
 * from another tree), so a write pays one walk over what it touches. The
 * sets of an object (what changed, what a configuration applies) are made
 * in object-fields.ts.
 * @see https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management
 */
import { getMember, setMember } from "./json-value";
import { isJsonObject, type Json, type JsonObject } from "./object";
import type { PatchMeta, PatchMetaEntry } from "./resource-kind";

/** A FieldsV1 set (or a node inside one). */
export type FieldSet = JsonObject;

/** The key that marks a node with children as a member itself. */
const SELF = ".";

/** True when `node` has path elements below it. */
export function hasChildren(node: FieldSet): boolean {
  for (const key in node) if (key !== SELF) return true;
  return false;
}

/** True when `node` (not the root) is a member of its set. */
export function isMember(node: FieldSet): boolean {
  return Object.hasOwn(node, SELF) || !hasChildren(node);
}

/** The child node under path element `key`, if any. */
export function childOf(node: FieldSet, key: string): FieldSet | undefined {
  const child = getMember(node, key);
  return isJsonObject(child) ? child : undefined;
}

/** A node with `children` (path element → node), a member or not; undefined when it would be empty. */
export function nodeOf(member: boolean, children: FieldSet | undefined): FieldSet | undefined {
  if (children === undefined) return member ? {} : undefined;
  if (!member) return children;
  const out: FieldSet = { [SELF]: {} };
  for (const key in children) setMember(out, key, children[key] as Json);
  return out;
}

/** Adds `child` under `key` to a lazily created children object (created on the first child). */
export function put(children: FieldSet | undefined, key: string, child: FieldSet | undefined): FieldSet | undefined {
  if (child === undefined) return children;
  const out = children ?? {};
  setMember(out, key, child);
  return out;
}

/** The path element of field `name`. */
export function fieldKey(name: string): string {
  return `f:${name}`;
}

/**
 * The path element of a list element: by merge key for a keyed list, by
 * value for a set of scalars, else by position.
 */
export function elementKey(element: Json, entry: PatchMetaEntry, index: number): string {
  if (entry.mergeKey !== undefined) {
    const id = isJsonObject(element) ? getMember(element, entry.mergeKey) : undefined;
    if (id !== undefined && id !== null && !isJsonObject(id) && !Array.isArray(id)) {
      return `k:{${scalarJson(entry.mergeKey)}:${scalarJson(id)}}`;
    }
  } else if (element === null || typeof element !== "object") {
    return `v:${scalarJson(element)}`;
  }
  return `i:${index}`;
}

/** Characters a JSON string must escape. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/** A scalar as JSON text; plain strings and numbers without JSON.stringify (this runs per list element on every write). */
function scalarJson(value: string | number | boolean | null): string {
  if (typeof value === "string") return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}

/** The merge metadata of the list at `path`, when it is merged (a keyed list or a set), else undefined (atomic). */
export function mergedList(meta: PatchMeta, path: string): PatchMetaEntry | undefined {
  const entry = meta[path];
  return entry?.strategy === "merge" ? entry : undefined;
}

/**
 * What the fields of a set may be: everything but apiVersion, kind, the
 * metadata the server owns (upstream's stripped fields) and, for the main
 * resource, status; for `/status`, only status; for "object" (a host's
 * report, which may also drop a finalizer), status and the rest.
 */
export type Scope = "main" | "status" | "object";

const SERVER_METADATA = new Set([
  "name", "namespace", "uid", "creationTimestamp", "generation", "resourceVersion", "managedFields", "selfLink",
  "deletionTimestamp", "deletionGracePeriodSeconds",
]);

/** True when the field at `path` (dotted, `[]` for elements) is never owned in `scope`. */
export function untracked(scope: Scope, path: string, depth: number): boolean {
  if (depth === 0) {
    if (path === "apiVersion" || path === "kind") return true;
    return scope === "main" ? path === "status" : scope === "status" && path !== "status";
  }
  return depth === 1 && path.startsWith("metadata.") && SERVER_METADATA.has(path.slice("metadata.".length));
}

/** Joins a field name onto a path. */
export function joinPath(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

/** `a ∪ b`. */
export function union(a: FieldSet, b: FieldSet): FieldSet {
  return unionNode(a, b, false) ?? {};
}

function unionNode(a: FieldSet, b: FieldSet, member: boolean): FieldSet | undefined {
  let children: FieldSet | undefined;
  for (const key in a) {
    if (key === SELF) continue;
    const x = a[key] as FieldSet;
    const y = childOf(b, key);
    children = put(children, key, y === undefined ? x : unionNode(x, y, isMember(x) || isMember(y)));
  }
  for (const key in b) {
    if (key === SELF || Object.hasOwn(a, key)) continue;
    children = put(children, key, b[key] as FieldSet);
  }
  return nodeOf(member, children);
}

/** `a ∖ b`: the paths of `a` that are not in `b`. */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  return differenceNode(a, b, false) ?? {};
}

function differenceNode(a: FieldSet, b: FieldSet, member: boolean): FieldSet | undefined {
  let children: FieldSet | undefined;
  for (const key in a) {
    if (key === SELF) continue;
    const x = a[key] as FieldSet;
    const y = childOf(b, key);
    children = put(children, key, y === undefined ? x : differenceNode(x, y, isMember(x) && !isMember(y)));
  }
  return nodeOf(member, children);
}

/** `a ∩ b`. */
export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  return intersectionNode(a, b, false) ?? {};
}

function intersectionNode(a: FieldSet, b: FieldSet, member: boolean): FieldSet | undefined {
  let children: FieldSet | undefined;
  for (const key in a) {
    if (key === SELF) continue;
    const y = childOf(b, key);
    if (y === undefined) continue;
    const x = a[key] as FieldSet;
    children = put(children, key, intersectionNode(x, y, isMember(x) && isMember(y)));
  }
  return nodeOf(member, children);
}

/** `set` without every path at or below a leaf of `removed` (a Comparison's `removed`). */
export function withoutSubtrees(set: FieldSet, removed: FieldSet): FieldSet {
  return withoutNode(set, removed, false) ?? {};
}

function withoutNode(set: FieldSet, removed: FieldSet, member: boolean): FieldSet | undefined {
  let children: FieldSet | undefined;
  for (const key in set) {
    if (key === SELF) continue;
    const x = set[key] as FieldSet;
    const r = childOf(removed, key);
    if (r === undefined) children = put(children, key, x);
    else if (hasChildren(r)) children = put(children, key, withoutNode(x, r, isMember(x)));
  }
  return nodeOf(member, children);
}

/** True for the empty set. */
export function isEmptySet(set: FieldSet): boolean {
  return !hasChildren(set);
}

/** One path element as upstream prints it in a path: `.name`, `[name="c"]`, `[="x"]`, `[0]`. */
function printElement(key: string): string {
  const body = key.slice(2);
  switch (key.slice(0, 2)) {
    case "f:":
      return `.${body}`;
    case "k:": {
      const fields = JSON.parse(body) as JsonObject;
      return `[${Object.keys(fields).sort().map((k) => `${k}=${JSON.stringify(fields[k])}`).join(",")}]`;
    }
    case "v:":
      return `[=${body}]`;
    default:
      return `[${body}]`;
  }
}

/**
 * The member paths of `set` as upstream prints them (`.spec.replicas`,
 * `.spec.containers[name="c"].image`), in upstream's order: at each node its
 * members, then what lies below its children.
 */
export function printPaths(set: FieldSet): string[] {
  const out: string[] = [];
  const walk = (node: FieldSet, prefix: string): void => {
    const keys = Object.keys(node).filter((k) => k !== SELF).sort(compareElements);
    for (const key of keys) if (isMember(node[key] as FieldSet)) out.push(prefix + printElement(key));
    for (const key of keys) {
      const child = node[key] as FieldSet;
      if (hasChildren(child)) walk(child, prefix + printElement(key));
    }
  };
  walk(set, "");
  return out;
}

const ELEMENT_ORDER: Record<string, number> = { "f:": 0, "k:": 1, "v:": 2, "i:": 3 };

/** Upstream's order of path elements: fields, then keys, values, indexes; within a type by content. */
export function compareElements(a: string, b: string): number {
  const ta = ELEMENT_ORDER[a.slice(0, 2)] ?? 4;
  const tb = ELEMENT_ORDER[b.slice(0, 2)] ?? 4;
  if (ta !== tb) return ta - tb;
  if (ta === 3) return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}
