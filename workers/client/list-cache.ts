/**
 * @module
 * Controllers' lists, kept current by the collection's event log instead of
 * read whole on every pass — what upstream's informers give a controller: a
 * cache filled by one list and then moved forward by the changes since its
 * resourceVersion. Every call first catches up to the collection's latest
 * resourceVersion, so an answer is the same snapshot a fresh list would read
 * (in the same key order); only the work differs: a scheduler pass over
 * 2,000 pods and VMIs reads the handful of events since the last pass, not
 * 2,000 rows through the kind's one collection object.
 *
 * Entries hold object JSON, so no caller can change what the next one reads:
 * `cachedListAll` parses every object afresh for its caller. The hot passes
 * (the scheduler's, the replicas controllers') read through
 * `sharedListAll` instead: each object parsed once per change and deeply
 * frozen, the same objects handed to every pass — a scheduler pass over
 * 2,000 pods and VMIs used to parse all 2,000 each time, which during a
 * fleet's burst was most of its CPU. When the log no longer reaches back (410) or the gap
 * is larger than one read, the entry is listed afresh. The cache is per
 * isolate and bounded (entries, objects per entry); losing it costs a list.
 */
import type { KubeObject } from "../../shared/k8s/object";
import { listMatcher, type ListRequest } from "../objects/collection-list";
import { collectionStub } from "../objects/client";
import { objectKey } from "../objects/collection-store";
import { unwrap } from "../objects/outcome";
import type { Changes } from "../objects/collection-store";
import { listPages } from "./list-all";

/** At most this many lists are cached (least recently used first out). */
const MAX_ENTRIES = 64;
/** A list larger than this is not kept: it is read afresh each time. */
const MAX_OBJECTS = 20_000;
/** Events read per catch-up; a larger gap relists. */
const CATCH_UP = 2_000;
/** A caller waits this long for the catch-up before its own; longer, that one is taken for lost. */
const TURN_LOST_MS = 10_000;
let turnLostMs = TURN_LOST_MS;

interface Entry {
  rv: number;
  /** Object JSON by collection key (namespace/name). */
  bodies: Map<string, string>;
  /** Parsed, frozen objects by key, for `sharedListAll`; a change drops its key's. */
  frozen: Map<string, KubeObject>;
  /** The keys in order, until the next change. */
  sorted?: string[];
  /** Catch-ups of one entry run one at a time, in order. */
  turn: Promise<void>;
}

const entries = new Map<string, Entry>();

function cacheKey(req: ListRequest): string {
  return JSON.stringify([req.resource, req.namespace ?? null, req.labelSelector ?? "", req.fieldSelector ?? ""]);
}

function keyOf(obj: KubeObject): string {
  return objectKey(obj.metadata.namespace ?? "", obj.metadata.name ?? "");
}

/** Fills an entry from a fresh list (its pages share one snapshot). */
async function fill(env: Env, req: ListRequest): Promise<Entry> {
  const bodies = new Map<string, string>();
  let rv = 0;
  for await (const page of listPages(env, req)) {
    rv = Number(page.resourceVersion);
    for (const body of page.items) bodies.set(keyOf(JSON.parse(body) as KubeObject), body);
  }
  return { rv, bodies, frozen: new Map(), turn: Promise.resolve() };
}

/** Moves `entry` to the collection's latest resourceVersion; false when it must be listed afresh. */
async function catchUp(env: Env, req: ListRequest, entry: Entry): Promise<boolean> {
  const changes: Changes = unwrap<Changes>(await collectionStub(env, req.resource).changes(entry.rv, CATCH_UP));
  // A resourceVersion never goes back; if it seems to, this is not the log the entry was filled from.
  if (changes.expired || !changes.complete || changes.rv < entry.rv) return false;
  const matches = listMatcher(req);
  for (const ev of changes.events) {
    if (req.namespace !== undefined && ev.namespace !== req.namespace) continue;
    const keep = ev.type !== "DELETED" && (!matches || matches(JSON.parse(ev.body) as KubeObject));
    entry.frozen.delete(ev.key);
    if (keep) {
      if (!entry.bodies.has(ev.key)) entry.sorted = undefined;
      entry.bodies.set(ev.key, ev.body);
    } else if (entry.bodies.delete(ev.key)) {
      entry.sorted = undefined;
    }
  }
  entry.rv = changes.rv;
  return entry.bodies.size <= MAX_OBJECTS;
}

function remember(key: string, entry: Entry): void {
  entries.delete(key);
  entries.set(key, entry);
  while (entries.size > MAX_ENTRIES) {
    const oldest = entries.keys().next().value;
    if (oldest === undefined) break;
    entries.delete(oldest);
  }
}

function objectsOf(entry: Entry): KubeObject[] {
  entry.sorted ??= [...entry.bodies.keys()].sort();
  return entry.sorted.map((k) => JSON.parse(entry.bodies.get(k) ?? "null") as KubeObject);
}

/** `value` and everything in it made read-only, so a shared object cannot be changed by one reader under another. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The entry's objects, each parsed and frozen once per change of it. */
function frozenObjectsOf(entry: Entry): readonly KubeObject[] {
  entry.sorted ??= [...entry.bodies.keys()].sort();
  return entry.sorted.map((k) => {
    let obj = entry.frozen.get(k);
    if (!obj) {
      obj = deepFreeze(JSON.parse(entry.bodies.get(k) ?? "null") as KubeObject);
      entry.frozen.set(k, obj);
    }
    return obj;
  });
}

/**
 * Every object `req` matches, as {@link listAll} answers it (the latest
 * snapshot, in key order, parsed afresh for this caller), from the cache.
 * `req` must not page or ask for a resourceVersion.
 */
export async function cachedListAll(env: Env, req: ListRequest): Promise<KubeObject[]> {
  return readCached(env, req, "cachedListAll", objectsOf);
}

/**
 * What {@link cachedListAll} answers, but the objects are shared with every
 * other caller and deeply frozen (changing one throws): each is parsed once
 * per change instead of once per call. For passes that only read what they
 * list — the scheduler, the replicas controllers — and write through the
 * object stores.
 */
export async function sharedListAll(env: Env, req: ListRequest): Promise<readonly KubeObject[]> {
  return readCached(env, req, "sharedListAll", frozenObjectsOf);
}

async function readCached<T>(env: Env, req: ListRequest, caller: string, read: (entry: Entry) => T): Promise<T> {
  if (req.limit !== undefined || req.continue !== undefined || req.resourceVersion !== undefined) {
    throw new Error(`${caller}: a cached list neither pages nor reads at a resourceVersion`);
  }
  const key = cacheKey(req);
  const entry = entries.get(key);
  if (entry) {
    let objects: { value: T } | undefined;
    const run = entry.turn.then(async () => {
      if (entries.get(key) === entry && (await catchUp(env, req, entry))) objects = { value: read(entry) };
    });
    entry.turn = run.catch(() => undefined);
    // The turn before this one may belong to another request. If that request was cancelled, workerd
    // dropped its I/O and its turn never ends: past a wait of this request's own, the entry is given
    // up and the list read afresh here (the next callers then chain on a new entry).
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      run,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, turnLostMs);
      }),
    ]).finally(() => clearTimeout(timer));
    if (objects) {
      remember(key, entry);
      return objects.value;
    }
    if (entries.get(key) === entry) entries.delete(key);
  }
  const filled = await fill(env, req);
  if (filled.bodies.size <= MAX_OBJECTS) remember(key, filled);
  return read(filled);
}

/**
 * Tests only: the entry of `req` gets a turn that never ends, as one whose
 * caller was cancelled mid catch-up (workerd drops a cancelled request's or
 * reset object's I/O), and callers wait `waitMs` for a turn before theirs.
 * False when `req` has no entry. `waitMs` undefined restores the default.
 */
export function loseTurnForTest(req: ListRequest, waitMs?: number): boolean {
  turnLostMs = waitMs ?? TURN_LOST_MS;
  const entry = entries.get(cacheKey(req));
  if (!entry) return false;
  entry.turn = new Promise<void>(() => undefined);
  return true;
}
