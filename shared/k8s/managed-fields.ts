/**
 * @module
 * `metadata.managedFields`: which field manager owns which fields, kept as
 * upstream's fieldmanager keeps it (k8s.io/apimachinery/pkg/util/managedfields).
 * An entry is one manager's set for one operation (`Apply` or `Update`),
 * API version and subresource. Updates give the fields they change to their
 * manager and take them from everyone else; applies are worked out in
 * server-side-apply.ts on top of the same sets.
 * @see https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management
 */
import { difference, type FieldSet, intersection, isEmptySet, union, withoutSubtrees } from "./field-set";
import type { Comparison } from "./object-fields";
import type { Json } from "./object";

/** One `metadata.managedFields` entry as stored and served. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: FieldSet;
  subresource?: string;
}

/** Who makes a write, as an entry names it (without fields and time). */
export interface FieldManager {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  /** "" for the main resource. */
  subresource: string;
}

/** Upstream's limit on a field manager's name (validation.FieldManagerMaxLength). */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/**
 * The identity of an entry: an applier is the same manager whatever API
 * version it applied with (upstream's BuildManagerIdentifier).
 */
export function managerKey(m: { manager: string; operation: string; apiVersion?: string; subresource?: string }): string {
  // NUL cannot occur in a valid manager name (printable only), so the parts cannot run into each other.
  return `${m.manager}\u0000${m.operation}\u0000${m.operation === "Apply" ? "" : (m.apiVersion ?? "")}\u0000${m.subresource ?? ""}`;
}

/** True when `entry` is `who`'s. */
export function isEntryOf(entry: ManagedFieldsEntry, who: FieldManager): boolean {
  return managerKey(entry) === managerKey(who);
}

/** The entries of a stored object (written by this server, so trusted as they are). */
export function storedEntries(value: Json[] | undefined): ManagedFieldsEntry[] {
  return (value ?? []) as unknown as ManagedFieldsEntry[];
}

/**
 * The manager upstream names a request by: the `fieldManager` parameter, else
 * the user agent up to its first `/`, without unprintable characters and cut
 * to 128 bytes (prefixFromUserAgent).
 */
export function managerFromUserAgent(userAgent: string | null): string {
  const prefix = (userAgent ?? "").split("/")[0] ?? "";
  // The usual case (kubectl, a browser, a client library): short printable ASCII, kept as is.
  if (prefix.length <= FIELD_MANAGER_MAX_LENGTH && /^[\x20-\x7e]*$/.test(prefix)) return prefix;
  let out = "";
  let bytes = 0;
  for (const ch of prefix) {
    if (!isPrintable(ch)) continue;
    const size = new TextEncoder().encode(ch).length;
    if (bytes + size > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/** Go's unicode.IsPrint, near enough: no control, format, separator (but space) or unassigned characters. */
function isPrintable(ch: string): boolean {
  return ch === " " || !/[\p{C}\p{Z}]/u.test(ch);
}

/** Why a field manager's name is refused (upstream's ValidateFieldManager), or undefined. */
export function fieldManagerProblem(manager: string): string | undefined {
  if (new TextEncoder().encode(manager).length > FIELD_MANAGER_MAX_LENGTH) {
    return `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`;
  }
  for (const ch of manager) {
    if (!isPrintable(ch)) return `Invalid value: ${JSON.stringify(manager)}: must only contain printable characters`;
  }
  return undefined;
}

/**
 * Orders entries as upstream encodes them: appliers first, then by time,
 * manager, API version and subresource.
 */
export function sortEntries(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  const seconds = (e: ManagedFieldsEntry): number => (e.time === undefined ? 0 : Math.floor(Date.parse(e.time) / 1000) || 0);
  return entries.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const dt = seconds(p) - seconds(q);
    if (dt !== 0) return dt;
    for (const [a, b] of [[p.manager, q.manager], [p.apiVersion, q.apiVersion], [p.subresource ?? "", q.subresource ?? ""]] as const) {
      if (a !== b) return a < b ? -1 : 1;
    }
    return 0;
  });
}

/** An entry for `who` owning `fields` (subresource left out for the main resource, as upstream). */
export function entryOf(who: FieldManager, fields: FieldSet, time: string | undefined): ManagedFieldsEntry {
  return {
    manager: who.manager,
    operation: who.operation,
    apiVersion: who.apiVersion,
    ...(time === undefined ? {} : { time }),
    fieldsType: "FieldsV1",
    fieldsV1: fields,
    ...(who.subresource === "" ? {} : { subresource: who.subresource }),
  };
}

/**
 * The entries after an update by `who` (upstream's Updater.Update through
 * managedFieldsUpdater): every manager, `who`'s own earlier entry included,
 * loses the fields the update changed or removed; `who` then owns what it
 * changed besides what it kept, and its time moves only when it changed
 * something. Entries left empty are dropped.
 * @returns the new entries, and whether they differ from `entries`
 */
export function recordUpdate(entries: ManagedFieldsEntry[], cmp: Comparison, who: FieldManager, time: string): { entries: ManagedFieldsEntry[]; changed: boolean } {
  const changedAny = !isEmptySet(cmp.changed);
  if (!changedAny && isEmptySet(cmp.removed)) return { entries, changed: false };
  let own: ManagedFieldsEntry | undefined;
  const next: ManagedFieldsEntry[] = [];
  for (const entry of entries) {
    const kept = withoutSubtrees(difference(entry.fieldsV1, cmp.changed), cmp.removed);
    if (isEntryOf(entry, who)) {
      own = entry;
      if (!changedAny) {
        if (!isEmptySet(kept)) next.push({ ...entry, fieldsV1: kept });
        continue;
      }
      const fields = union(kept, cmp.changed);
      next.push(entryOf(who, fields, time));
      continue;
    }
    if (!isEmptySet(kept)) next.push(kept === entry.fieldsV1 ? entry : { ...entry, fieldsV1: kept });
  }
  if (own === undefined && changedAny) next.push(entryOf(who, cmp.changed, time));
  return { entries: sortEntries(capUpdateEntries(next)), changed: true };
}

/** Upstream's cap on Update entries (DefaultMaxUpdateManagers), and the manager the oldest are merged into. */
export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = "ancient-changes";

/**
 * Keeps at most {@link MAX_UPDATE_MANAGERS} Update entries, as upstream's
 * capManagersManager: beyond that the oldest are merged into one
 * `ancient-changes` entry (per API version), which takes the newest merged
 * time. Every user agent is a manager, so this bounds what an object carries.
 */
function capUpdateEntries(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  const updates = entries.filter((e) => e.operation === "Update");
  if (updates.length <= MAX_UPDATE_MANAGERS) return entries;
  const seconds = (e: ManagedFieldsEntry): number => (e.time === undefined ? 0 : Date.parse(e.time) || 0);
  updates.sort((p, q) => seconds(p) - seconds(q) || (managerKey(p) < managerKey(q) ? -1 : 1));
  const byKey = new Map(entries.map((e) => [managerKey(e), e]));
  const firstOf = new Map<string, ManagedFieldsEntry>();
  let count = updates.length;
  for (const entry of updates) {
    if (count <= MAX_UPDATE_MANAGERS) break;
    const bucketWho = { manager: ANCIENT_CHANGES, operation: "Update" as const, apiVersion: entry.apiVersion, subresource: "" };
    const bucketKey = managerKey(bucketWho);
    if (managerKey(entry) === bucketKey) continue;
    let bucket = byKey.get(bucketKey);
    if (bucket === undefined) {
      // The oldest of a version waits; the next one makes the bucket of both.
      const first = firstOf.get(entry.apiVersion);
      if (first === undefined) {
        firstOf.set(entry.apiVersion, entry);
        continue;
      }
      byKey.delete(managerKey(first));
      bucket = entryOf(bucketWho, first.fieldsV1, first.time);
    }
    byKey.set(bucketKey, { ...bucket, fieldsV1: union(bucket.fieldsV1, entry.fieldsV1), ...(entry.time === undefined ? {} : { time: entry.time }) });
    byKey.delete(managerKey(entry));
    count--;
  }
  return [...byKey.values()];
}

/** One field another manager owns that an apply would change. */
export interface Conflict {
  manager: ManagedFieldsEntry;
  fields: FieldSet;
}

/** For each other manager, the fields of `cmp.changed` it owns (empty when there is no conflict). */
export function conflictsWith(entries: ManagedFieldsEntry[], cmp: Comparison, who: FieldManager): Conflict[] {
  const out: Conflict[] = [];
  if (isEmptySet(cmp.changed)) return out;
  for (const entry of entries) {
    if (isEntryOf(entry, who)) continue;
    const fields = intersection(entry.fieldsV1, cmp.changed);
    if (!isEmptySet(fields)) out.push({ manager: entry, fields });
  }
  return out;
}

/**
 * The entries after an apply by `who` of a configuration owning `applied`
 * (upstream's Updater.Apply): the others lose what the apply removed and, when
 * forced, the fields they conflicted on; `who`'s set becomes `applied`.
 * `time` is set when the object changed, else the applier's old time stays.
 */
export function recordApply(
  entries: ManagedFieldsEntry[], cmp: Comparison, who: FieldManager, applied: FieldSet, time: string | undefined,
): ManagedFieldsEntry[] {
  const next: ManagedFieldsEntry[] = [];
  let oldTime: string | undefined;
  for (const entry of entries) {
    if (isEntryOf(entry, who)) {
      oldTime = entry.time;
      continue;
    }
    const kept = withoutSubtrees(difference(entry.fieldsV1, cmp.changed), cmp.removed);
    if (!isEmptySet(kept)) next.push(kept === entry.fieldsV1 ? entry : { ...entry, fieldsV1: kept });
  }
  if (!isEmptySet(applied)) next.push(entryOf(who, applied, time ?? oldTime));
  return sortEntries(next);
}
