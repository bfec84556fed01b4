/**
 * @module
 * Server-side apply (`application/apply-patch+yaml`, sent by
 * `kubectl apply --server-side`), as upstream's fieldmanager and
 * sigs.k8s.io/structured-merge-diff do it: the applied configuration is
 * merged into the object, fields the applier applied before and omits now
 * are removed unless another manager owns them, a change to a field another
 * manager owns is a conflict (409) unless forced, and `metadata.managedFields`
 * records the applier's fields (managed-fields.ts, field-set.ts).
 * @see https://kubernetes.io/docs/reference/using-api/server-side-apply/
 */
import { applyConflict } from "./apply-conflict";
import { ElementIndex } from "./element-index";
import { childOf, elementKey, type FieldSet, isEmptySet, isMember, joinPath, mergedList, type Scope } from "./field-set";
import { appliedFields, compareObjects } from "./object-fields";
import { copyJson, getMember, setMember } from "./json-value";
import { conflictsAfterUpgrade } from "./last-applied";
import {
  conflictsWith, entryOf, type FieldManager, isEntryOf, type ManagedFieldsEntry, recordApply, storedEntries,
} from "./managed-fields";
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
 * This is the merge step only: {@link applyConfiguration} adds removal of
 * omitted fields, conflicts and managedFields.
 * If `existing` is undefined the result is the applied object (nulls dropped).
 * Inputs are never mutated.
 */
export function serverSideApply(
  existing: JsonObject | undefined,
  applied: JsonObject,
  meta: PatchMeta | undefined,
): JsonObject {
  const merger = new ApplyMerger(meta ?? {});
  return merger.applyMap(existing === undefined ? {} : (copyJson(existing) as JsonObject), applied, "");
}

/** Who applies, and how. */
export interface ApplyOptions {
  who: FieldManager;
  /** `force=true`: take the conflicting fields instead of failing. */
  force: boolean;
  /** "status" for an apply to `/status`: only status is applied and owned. */
  scope: Scope;
  /** The time an entry records when the apply changes the object. */
  time: string;
}

/** The applied object, before defaulting and validation, and its managedFields. */
export interface ApplyResult {
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * The managedFields of an object created by an apply: the applier owns what
 * it applied.
 */
export function createdByApply(applied: JsonObject, meta: PatchMeta | undefined, opts: ApplyOptions): ManagedFieldsEntry[] {
  const fields = appliedFields(applied, meta ?? {}, opts.scope);
  return isEmptySet(fields) ? [] : [entryOf(opts.who, fields, opts.time)];
}

/**
 * Applies `applied` to the stored object `live` (upstream's Updater.Apply):
 * merge; remove what the applier owned last time, omits now and nobody else
 * owns (for keyed list elements and set values too); then compare with the
 * live object and refuse (409, applyConflict) changes to fields other
 * managers own unless `force` (or, for `kubectl`, unless they are its own
 * from client-side apply: last-applied.ts). Same values owned by several
 * managers are shared, not a conflict. Inputs are never mutated.
 */
export function applyConfiguration(live: JsonObject, applied: JsonObject, meta: PatchMeta | undefined, opts: ApplyOptions): ApplyResult {
  const kindMeta = meta ?? {};
  const metadata = live.metadata;
  const entries = storedEntries(isJsonObject(metadata) && Array.isArray(metadata.managedFields) ? metadata.managedFields : undefined);
  const appliedSet = appliedFields(applied, kindMeta, opts.scope);
  const merged = serverSideApply(live, applied, kindMeta);
  const last = entries.find((e) => isEntryOf(e, opts.who))?.fieldsV1;
  if (last !== undefined && !isEmptySet(last)) {
    const owners = [appliedSet, ...entries.filter((e) => !isEntryOf(e, opts.who)).map((e) => e.fieldsV1)];
    new Pruner(kindMeta).pruneMap(merged, last, owners, "");
  }
  const cmp = compareObjects(live, merged, kindMeta, opts.scope);
  const conflicts = conflictsWith(entries, cmp, opts.who);
  if (conflicts.length > 0 && !opts.force) {
    // kubectl's own fields from client-side apply are handed over, not conflicts (last-applied.ts).
    const left = conflictsAfterUpgrade(live, conflicts, opts.who.manager, kindMeta, opts.scope);
    if (left.length > 0) throw applyConflict(left);
  }
  const changed = !isEmptySet(cmp.changed) || !isEmptySet(cmp.removed);
  return { object: merged, managedFields: recordApply(entries, cmp, opts.who, appliedSet, changed ? opts.time : undefined) };
}

/**
 * Removes from an object the fields in `last` (what the applier owned
 * before) that no set in `owners` (the applier's new set, every other
 * manager's) still claims. A field is kept while any owner has it or
 * anything below it; a list element only while an owner has the element
 * itself (upstream's prune with EnsureNamedFieldsAreMembers).
 */
class Pruner {
  constructor(private readonly meta: PatchMeta) {}

  pruneMap(obj: JsonObject, last: FieldSet, owners: FieldSet[], path: string): void {
    for (const key in last) {
      if (!key.startsWith("f:")) continue;
      const name = key.slice(2);
      const value = getMember(obj, name);
      if (value === undefined) continue;
      const below = owners.map((o) => childOf(o, key)).filter((c): c is FieldSet => c !== undefined);
      if (below.length === 0) {
        delete obj[name];
        continue;
      }
      const lastBelow = last[key] as FieldSet;
      if (!isEmptySet(lastBelow)) setMember(obj, name, this.pruneValue(value, lastBelow, below, joinPath(path, name)));
    }
  }

  private pruneValue(value: Json, last: FieldSet, owners: FieldSet[], path: string): Json {
    if (isJsonObject(value)) {
      this.pruneMap(value, last, owners, path);
      return value;
    }
    const entry = Array.isArray(value) ? mergedList(this.meta, path) : undefined;
    return Array.isArray(value) && entry ? this.pruneList(value, last, owners, entry, path) : value;
  }

  private pruneList(list: Json[], last: FieldSet, owners: FieldSet[], entry: PatchMetaEntry, path: string): Json[] {
    const drop = new Set<string>();
    const keys = list.map((element, i) => elementKey(element, entry, i));
    const at = new Map<string, number>();
    keys.forEach((key, i) => {
      if (!at.has(key)) at.set(key, i);
    });
    for (const key in last) {
      if (key === "." || !at.has(key)) continue;
      const below = owners.map((o) => childOf(o, key)).filter((c): c is FieldSet => c !== undefined);
      if (!below.some(isMember)) {
        drop.add(key);
        continue;
      }
      const lastBelow = last[key] as FieldSet;
      const i = at.get(key) ?? -1;
      const element = list[i];
      if (element !== undefined && !isEmptySet(lastBelow)) list[i] = this.pruneValue(element, lastBelow, below, `${path}[]`);
    }
    return drop.size === 0 ? list : list.filter((_, i) => !drop.has(keys[i] ?? ""));
  }
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
