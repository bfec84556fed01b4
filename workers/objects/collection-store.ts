/**
 * @module
 * One CollectionStore per resource kind: the resourceVersion sequencer, the
 * latest-state table that lists and selectors read, and the event log (with
 * each event's previous object) that watches and consistent paging read.
 * Object stores commit here; the only other writer is this store itself,
 * for the objects of a collection-resident kind (Events), which have no
 * object store (resident-write.ts).
 */
import { costEnv, costSql } from "../cost/wiring";
import { DurableObject } from "cloudflare:workers";
import { internalError, notFound } from "../../shared/k8s/errors";
import { objectTooLarge } from "../../shared/k8s/limits";
import { outcome, type Outcome } from "./outcome";
import { migrate } from "./sql-migrations";
import type { KubeObject } from "../../shared/k8s/object";
import { listPage, readBatch, type ListRequest, type ListResult } from "./collection-list";
import type { StoredEvent } from "../watch/event-filter";
import { EventLog } from "../watch/event-log";
import { WatchHub, type WatchStream } from "../watch/watch-hub";
import type { EventSource } from "../watch/watch-session";
import type { WatchRequest } from "../watch/watch-request";
import { changeObserver } from "./change-observer";
import { recordWorkqueueAdds } from "../metrics/workqueue-metrics";
import { ReconcileOutbox } from "./reconcile-outbox";
import type { ObjectOp } from "./object-ops";
import type { ObjectRef } from "./object-ref";
import type { WriteResult } from "./object-store";
import { residentKind, residentWrite, StaleCommit } from "./resident-write";
import { refOf } from "./write-rules";

const MIGRATIONS = [
  `CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
   INSERT INTO meta (k, v) VALUES ('rv', 0), ('compacted', 0);
   CREATE TABLE objects (key TEXT PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL,
     rv INTEGER NOT NULL, labels TEXT NOT NULL, body TEXT NOT NULL);
   CREATE INDEX objects_namespace ON objects (namespace, key);
   CREATE TABLE events (rv INTEGER PRIMARY KEY, type TEXT NOT NULL, key TEXT NOT NULL,
     namespace TEXT NOT NULL, body TEXT NOT NULL, prev TEXT, ts INTEGER NOT NULL);
   CREATE INDEX events_key ON events (key, rv);
   CREATE TABLE commits (pending_id TEXT PRIMARY KEY, rv INTEGER NOT NULL, ts INTEGER NOT NULL);`,
  // An empty kind lists at resourceVersion "1", never "0": a client that watches from the list's
  // resourceVersion must get "changes after", not "current state first".
  `UPDATE meta SET v = MAX(v, 1) WHERE k = 'rv';`,
  // An event's previous object has its own row: a SQLite row holds at most 2 MB, and an object and
  // its previous state may each be up to MAX_OBJECT_BYTES. Older events keep theirs in events.prev.
  `CREATE TABLE event_prevs (rv INTEGER PRIMARY KEY, prev TEXT NOT NULL);`,
];

/** The kind of change an event records. */
export type EventType = "ADDED" | "MODIFIED" | "DELETED";

/** What an object store sends to commit one change. */
export interface CommitRequest {
  /** Unique per write attempt; a retried commit with the same id returns the first result. */
  pendingId: string;
  /** The resourceVersion the object store last committed for this key (0 if none). */
  prevRv: number;
  type: EventType;
  namespace: string;
  name: string;
  /**
   * The new object as JSON (for DELETED: the final state). Its resourceVersion
   * is assigned here: the store writes `"resourceVersion":"<pendingId>"` into it
   * (see {@link rvPlaceholder}) and the collection replaces that text, so the
   * one serial object of the kind never parses or re-encodes a body.
   */
  body: string;
  /** `metadata.labels` of the object as JSON (what label selectors read). */
  labels: string;
  /** The reconcile messages the change enqueues (the change observer's keys, computed by the object's store). */
  reconcileKeys: unknown[];
  /** Whether this kind's collection runs the periodic resync. */
  resyncs: boolean;
  /**
   * True on the first send of a pending write, which cannot have committed
   * yet: the collection then skips looking its id up. A re-send (recovery)
   * leaves it out, as do object stores older than the field.
   */
  firstSend?: boolean;
}

/**
 * The text an object store writes as `metadata.resourceVersion` before the
 * commit: the pending id, fresh per write, so no user content can contain it.
 */
export function rvPlaceholder(pendingId: string): string {
  return `"resourceVersion":${JSON.stringify(pendingId)}`;
}

/** `body` with its placeholder resourceVersion replaced by `rv`; parses only a body that lacks it (a pending row of an older version). */
function withResourceVersion(body: string, pendingId: string, rv: number): string {
  const placeholder = rvPlaceholder(pendingId);
  const at = body.indexOf(placeholder);
  if (at >= 0) return `${body.slice(0, at)}"resourceVersion":"${rv}"${body.slice(at + placeholder.length)}`;
  const object = JSON.parse(body) as KubeObject;
  object.metadata.resourceVersion = String(rv);
  return JSON.stringify(object);
}

/** The committed object: its resourceVersion and JSON with that resourceVersion set. */
export interface CommitResult {
  rv: number;
  body: string;
}

/** One change as `changes` answers it. */
export interface ChangedRow {
  rv: number;
  type: EventType;
  key: string;
  namespace: string;
  body: string;
  [column: string]: SqlStorageValue;
}

/** What `changes` answers: the events after a resourceVersion, or that the log no longer has them. */
export type Changes = { expired: true } | { expired: false; rv: number; complete: boolean; events: ChangedRow[] };

/** Controller kinds are re-enqueued this often (upstream's informer resync). */
export const RESYNC_MS = 30_000;

/** The event log keeps at least this many events per kind… */
export const RETAIN_EVENTS = 1000;
/** …and at least this much history (ms). */
export const RETAIN_MS = 5 * 60 * 1000;
/** Commit ids are remembered this long, far beyond an object store's recovery alarm. */
const COMMIT_MEMORY_MS = 60 * 60 * 1000;
/** How long reconcile keys of commits are gathered before one send (see enqueueReconciles). */
const ENQUEUE_WINDOW_MS = 10;
/**
 * A key sent is not sent again sooner than this; a change meanwhile is sent
 * when it has passed (reconcile-outbox.ts). 250 ms: the fleet's local queue
 * no longer stalls (bench/README), and a VMIRS of 100 is Running as soon.
 */
export const KEY_HOLD_MS = 250;
/** Prune every this many commits, so pruning cost is amortised. */
const PRUNE_EVERY = 64;

/** Key of a row: namespace and name, so a namespace's rows are one index range. */
export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The per-kind collection Durable Object. */
export class CollectionStore extends DurableObject<Env> implements EventSource {
  private readonly sql: SqlStorage;
  private commitsSincePrune = 0;
  /** Reconcile keys of recent commits, not yet sent (enqueueReconciles). */
  private readonly outbox = new ReconcileOutbox(KEY_HOLD_MS);
  private flushing = false;
  private resyncWanted = false;
  /** The resync alarm is known to be set (it is cleared when the alarm runs, and on eviction). */
  private resyncArmed = false;
  /** This kind's watchers (public so tests can lower its caps through runInDurableObject). */
  readonly watchers: WatchHub;
  private readonly log: EventLog;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, costEnv(env));
    this.sql = costSql(ctx.storage.sql);
    this.watchers = new WatchHub(ctx, this);
    this.log = new EventLog(this.sql, { meta: { table: "meta", key: "compacted" }, retainEvents: RETAIN_EVENTS, retainMs: RETAIN_MS, prevs: "stored" });
    void ctx.blockConcurrencyWhile(async () => migrate(this.sql, MIGRATIONS));
  }

  /**
   * Commits one change: assigns the next resourceVersion, updates the latest
   * state and appends the event, all in one transaction. Idempotent on
   * `pendingId`, so an object store that crashed after this call can resend it.
   */
  async commit(req: CommitRequest): Promise<Outcome<CommitResult>> {
    return outcome(() => this.commitAndNotify(req, true));
  }

  /** Commits `req` and tells watchers and controllers (after the transaction: they only ever see committed changes). */
  private commitAndNotify(req: CommitRequest, remember: boolean): CommitResult {
    const { result, event } = this.commitTransaction(req, remember);
    if (event) {
      this.watchers.notify(event);
      this.enqueueReconciles(req.reconcileKeys, req.resyncs);
    }
    return result;
  }

  /**
   * Reads one object of a collection-resident kind (ResourceKind.collectionResident),
   * which has no object store: its row here is the object.
   */
  async get(ref: ObjectRef): Promise<Outcome<string>> {
    return outcome(() => {
      const kind = residentKind(ref);
      const row = this.residentRow(ref);
      if (!row) throw notFound(refOf(kind), ref.name);
      return row.body;
    });
  }

  /**
   * Applies one write to an object of a collection-resident kind: planned
   * here from its row, as an object store plans it, and committed in one
   * transaction (resident-write.ts).
   */
  async mutate(ref: ObjectRef, op: ObjectOp): Promise<Outcome<WriteResult>> {
    return outcome(() =>
      residentWrite(this.env, residentKind(ref), ref, op, {
        row: () => this.residentRow(ref),
        commit: (req) => this.commitAndNotify(req, false),
      }),
    );
  }

  private residentRow(ref: ObjectRef): { rv: number; body: string } | undefined {
    return this.row(objectKey(ref.namespace, ref.name));
  }

  /** The latest-state row of `key`, if any. */
  private row(key: string): { rv: number; body: string } | undefined {
    return this.sql.exec<{ rv: number; body: string }>("SELECT rv, body FROM objects WHERE key = ?", key).toArray()[0];
  }

  /** Opens a collection watch: a stream of newline-delimited JSON events (429 past a watcher cap). */
  async watch(req: WatchRequest): Promise<Outcome<WatchStream>> {
    return outcome(() => this.watchers.openStream(req));
  }

  /** The front saw a watch client go away. */
  async cancelWatch(id: string): Promise<void> {
    this.watchers.cancelStream(id);
  }

  /** The WebSocket form of watch (hibernatable); the front forwards upgrades here. */
  override async fetch(request: Request): Promise<Response> {
    return this.watchers.serveSocket(request);
  }

  /** Watch sockets send nothing meaningful; ignore it. */
  override async webSocketMessage(): Promise<void> {}

  /** Always reciprocate a close (1005/1006 cannot be echoed). */
  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.watchers.socketClosed(ws, code);
  }

  /** A socket that failed is gone: forget its session. */
  override async webSocketError(ws: WebSocket): Promise<void> {
    this.watchers.socketClosed(ws, 1011);
  }

  /** The number of open watch streams (for tests and metrics). */
  async watcherCount(): Promise<number> {
    return this.watchers.size;
  }

  /** What /metrics reports of this kind: stored objects and open collection watches (workers/metrics). */
  async storageStats(): Promise<{ objects: number; watchers: number }> {
    const objects = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM objects").one().n;
    return { objects, watchers: this.watchers.size };
  }

  /**
   * Runs the commit's transaction. A failure inside it rolled everything back,
   * and the same request would fail the same way again (a row too large, a
   * resourceVersion mismatch), so it is answered as a refusal (a failed
   * Outcome): the object store then drops its pending write instead of
   * re-sending it forever. Only failures to reach this store are worth a retry.
   */
  private commitTransaction(req: CommitRequest, remember: boolean): { result: CommitResult; event?: StoredEvent } {
    try {
      return this.ctx.storage.transactionSync(() => this.commitSync(req, remember));
    } catch (err) {
      // A resident write planned from an older row plans again (resident-write.ts).
      if (err instanceof StaleCommit) throw err;
      const message = err instanceof Error ? err.message : String(err);
      console.error(`commit of ${objectKey(req.namespace, req.name)} refused: ${message}`);
      throw message.includes("SQLITE_TOOBIG") ? objectTooLarge() : internalError(message);
    }
  }

  /**
   * `remember`: record the pending id, so that an object store's re-sent
   * commit answers the first result. A resident write is planned and
   * committed here in one call, so it is never re-sent and need not be.
   */
  private commitSync(req: CommitRequest, remember: boolean): { result: CommitResult; event?: StoredEvent } {
    const done = remember && req.firstSend !== true
      ? this.sql.exec<{ rv: number }>("SELECT rv FROM commits WHERE pending_id = ?", req.pendingId).toArray()[0]
      : undefined;
    const key = objectKey(req.namespace, req.name);
    if (done) return { result: { rv: done.rv, body: withResourceVersion(req.body, req.pendingId, done.rv) } };
    const current = this.row(key);
    if ((current?.rv ?? 0) !== req.prevRv) {
      if (!remember) throw new StaleCommit();
      // The object store is the single writer of this key, so this only happens
      // if it lost its own state; refuse rather than fork history.
      throw new Error(`commit for ${key} expected rv ${req.prevRv}, collection has ${current?.rv ?? 0}`);
    }
    const rv = this.nextRv();
    const body = withResourceVersion(req.body, req.pendingId, rv);
    const now = Date.now();
    if (req.type === "DELETED") {
      this.sql.exec("DELETE FROM objects WHERE key = ?", key);
    } else {
      this.sql.exec(
        "INSERT INTO objects (key, namespace, name, rv, labels, body) VALUES (?, ?, ?, ?, ?, ?) " +
          "ON CONFLICT (key) DO UPDATE SET rv = excluded.rv, labels = excluded.labels, body = excluded.body",
        key,
        req.namespace,
        req.name,
        rv,
        req.labels,
        body,
      );
    }
    const event: StoredEvent = { rv, type: req.type, body, prev: current?.body ?? null };
    this.log.append(event, now, { key, namespace: req.namespace });
    if (remember) this.sql.exec("INSERT INTO commits (pending_id, rv, ts) VALUES (?, ?, ?)", req.pendingId, rv, now);
    if (++this.commitsSincePrune >= PRUNE_EVERY) {
      this.commitsSincePrune = 0;
      this.prune(now);
    }
    return { result: { rv, body }, event };
  }

  /** Lists one page (see collection-list.ts for the paging and snapshot rules). */
  async list(req: ListRequest): Promise<Outcome<ListResult>> {
    return outcome(() => listPage(this.sql, this.currentRv(), this.compactedRv(), req));
  }

  /**
   * The changes after `afterRv`, oldest first, at most `limit` (what a
   * controller's list cache catches up with, client/list-cache.ts): each
   * event's type, key, namespace and object. `rv` is the resourceVersion the
   * caller is then at: the latest when `complete`, else the last event's.
   * Answers `expired` when the log no longer reaches back to `afterRv`.
   */
  async changes(afterRv: number, limit: number): Promise<Outcome<Changes>> {
    return outcome(() => {
      if (afterRv < this.compactedRv()) return { expired: true };
      const rows = this.sql
        .exec<ChangedRow>("SELECT rv, type, key, namespace, body FROM events WHERE rv > ? ORDER BY rv LIMIT ?", afterRv, limit + 1)
        .toArray();
      const complete = rows.length <= limit;
      const events = complete ? rows : rows.slice(0, limit);
      const rv = complete ? this.currentRv() : (events[events.length - 1]?.rv ?? afterRv);
      return { expired: false, rv, complete, events };
    });
  }

  /** The latest committed resourceVersion of this kind. */
  async resourceVersion(): Promise<number> {
    return this.currentRv();
  }

  /**
   * Queues the reconcile keys of a committed change (its owner's, its own for
   * controller kinds, the garbage collector's for a deleted or held owner;
   * computed by the object's store). Keys are gathered for ENQUEUE_WINDOW_MS
   * and sent once, without duplicates: a burst of pod creates is then one
   * scheduler key and one send, not one per pod (upstream's workqueue
   * likewise holds a key once however often it is added), and a key sent
   * within KEY_HOLD_MS goes again only when that has passed. A lost send
   * (or keys still waiting when the store is evicted) is repaired by the
   * periodic resync, except a deleted owner's garbage collector key (see
   * keys.ts).
   */
  private enqueueReconciles(keys: unknown[], resyncs: boolean): void {
    this.resyncWanted ||= resyncs;
    if (keys.length === 0 && !resyncs) return;
    this.outbox.add(keys);
    this.flushAfter(ENQUEUE_WINDOW_MS);
  }

  /** Arms the one outbox flush unless it is armed. */
  private flushAfter(ms: number): void {
    if (this.flushing) return;
    this.flushing = true;
    this.ctx.waitUntil(new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => this.flushOutbox()));
  }

  /**
   * Sends the gathered keys that are not held (reconcile-outbox.ts), at most
   * 100 per batch (the queue's limit), arms the next flush for the held ones,
   * and arms the resync once.
   */
  private async flushOutbox(): Promise<void> {
    this.flushing = false;
    const { keys, nextDueMs } = this.outbox.take(Date.now());
    if (nextDueMs !== undefined) this.flushAfter(Math.max(ENQUEUE_WINDOW_MS, nextDueMs));
    try {
      for (let i = 0; i < keys.length; i += 100) {
        await this.env.RECONCILE_QUEUE.sendBatch(keys.slice(i, i + 100).map((body) => ({ body })));
      }
      recordWorkqueueAdds(keys);
    } catch (err) {
      console.error("enqueue of reconcile keys failed; the resync will cover it", err);
    }
    if (this.resyncWanted) {
      this.resyncWanted = false;
      await this.ensureResync();
    }
  }

  private async ensureResync(): Promise<void> {
    // Only this object sets its alarm, so once armed it stays armed until alarm() runs.
    if (this.resyncArmed) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + RESYNC_MS);
    this.resyncArmed = true;
  }

  /**
   * The periodic resync: every object of a controller kind is enqueued again
   * (with the garbage collector's key while its deletion is held by `orphan`
   * or `foregroundDeletion`), and the scheduling controllers' keys of Pods,
   * VMIs and Nodes (deduplicated: many pending pods are one scheduler key),
   * so nothing is left behind. The alarm stays armed while there is work.
   */
  override async alarm(): Promise<void> {
    this.resyncArmed = false;
    const rows = this.sql.exec<{ body: string }>("SELECT body FROM objects").toArray();
    const keys = changeObserver()?.resyncKeys(rows.map((r) => JSON.parse(r.body) as KubeObject)) ?? [];
    for (let i = 0; i < keys.length; i += 100) {
      await this.env.RECONCILE_QUEUE.sendBatch(keys.slice(i, i + 100).map((body) => ({ body })));
    }
    recordWorkqueueAdds(keys);
    if (keys.length > 0) {
      await this.ctx.storage.setAlarm(Date.now() + RESYNC_MS);
      this.resyncArmed = true;
    }
  }

  /** EventSource: the latest resourceVersion. */
  currentRv(): number {
    return this.sql.exec<{ v: number }>("SELECT v FROM meta WHERE k = 'rv'").one().v;
  }

  /** EventSource: events at or below this resourceVersion were pruned. */
  compactedRv(): number {
    return this.log.compactedRv();
  }

  /** EventSource: the state at `rv`, page by page. */
  readSnapshot(rv: number, afterKey: string, limit: number, namespace: string | undefined): { key: string; body: string }[] {
    return readBatch(this.sql, rv, this.currentRv(), afterKey, namespace, limit);
  }

  /** EventSource: events after `afterRv`. */
  readEvents(afterRv: number, limit: number): StoredEvent[] {
    return this.log.read(afterRv, limit);
  }

  private nextRv(): number {
    const row = this.sql.exec<{ v: number }>("UPDATE meta SET v = v + 1 WHERE k = 'rv' RETURNING v").one();
    return row.v;
  }

  /** Trims the event log (count and age) and forgets old commit ids. */
  private prune(now: number): void {
    this.log.trim(now);
    this.sql.exec("DELETE FROM commits WHERE ts < ?", now - COMMIT_MEMORY_MS);
  }
}
