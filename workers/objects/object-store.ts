/**
 * @module
 * One ObjectStore per Kubernetes object: its single writer. A write is
 * computed here, recorded as *pending* in this object's SQLite, committed to
 * the kind's CollectionStore (which assigns the resourceVersion), and then
 * marked committed. A pending row found later (after a crash at any step) is
 * re-sent — the collection commit is idempotent on its id — so every write
 * ends with exactly one event and GET, list and watch agree (invariant 5).
 */
import { DurableObject } from "cloudflare:workers";
import { notFound } from "../../shared/k8s/errors";
import type { KubeObject } from "../../shared/k8s/object";
import { kindByResource } from "../registry";
import type { CollectionStore, CommitResult, EventType } from "./collection-store";
import { shouldRemove } from "./delete-rules";
import { Mutex } from "./mutex";
import { type ObjectOp, planWrite } from "./object-ops";
import type { ObjectRef } from "./object-ref";
import { outcome, unwrap, type Outcome } from "./outcome";
import { migrate } from "./sql-migrations";
import type { StoredEvent } from "../watch/event-filter";
import type { EventSource } from "../watch/watcher";
import { WatcherSet } from "../watch/watcher-set";
import { notifySockets, reciprocateClose, serveWatchSocket } from "../watch/socket-watch";
import type { WatchRequest } from "../watch/watch-request";
import { awaitsCleanup, cleanupNamespace, NAMESPACE_CLEANUP_RETRY_MS } from "./namespace-cleanup";
import { refOf } from "./write-rules";

const MIGRATIONS = [
  `CREATE TABLE object (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL, rv INTEGER NOT NULL);
   CREATE TABLE pending (id TEXT PRIMARY KEY, type TEXT NOT NULL, body TEXT NOT NULL, prev_rv INTEGER NOT NULL);
   CREATE TABLE identity (id INTEGER PRIMARY KEY CHECK (id = 1), resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL);`,
  // This object's own event log, for single-object watches (kubectl get x -w, wait, delete --wait).
  `CREATE TABLE events (rv INTEGER PRIMARY KEY, type TEXT NOT NULL, body TEXT NOT NULL, prev TEXT, ts INTEGER NOT NULL);
   CREATE TABLE log_meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
   INSERT INTO log_meta (k, v) VALUES ('trimmed', 0);`,
];

/** An object keeps at least this many of its own events… */
const OBJECT_LOG_EVENTS = 100;
/** …and at least this much history (ms), like the collection's window. */
const OBJECT_LOG_MS = 5 * 60 * 1000;

/** A pending write is re-sent by the alarm this soon if nothing else touches the object. */
const RECOVERY_DELAY_MS = 2000;

/** Where a test may inject a crash (one-shot). */
export type FaultPoint = "afterPending" | "afterCommit";

/** The result of a write: the stored object (JSON) and whether it was created. */
export interface WriteResult {
  body: string;
  created: boolean;
  /** False when the write changed nothing (no new resourceVersion). */
  changed: boolean;
  type?: EventType;
}

interface PendingRow {
  id: string;
  type: EventType;
  body: string;
  prev_rv: number;
  [key: string]: SqlStorageValue;
}

/** The per-object Durable Object. */
export class ObjectStore extends DurableObject<Env> implements EventSource {
  private readonly sql: SqlStorage;
  private readonly lock = new Mutex();
  /** A crash to simulate at the next write; only tests set it (test/do-internals.ts). */
  private fault: FaultPoint | undefined;
  private schemaReady = false;
  private readonly watchers = new WatcherSet(this);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
  }

  /**
   * The schema is created on the first write, not in the constructor: a GET
   * of a name that never existed then leaves no storage behind.
   */
  private hasSchema(): boolean {
    if (this.schemaReady) return true;
    const found = this.sql
      .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'object'")
      .toArray().length > 0;
    // An object written by an older version gets the newer migrations now.
    if (found) migrate(this.sql, MIGRATIONS);
    this.schemaReady = found;
    return found;
  }

  private ensureSchema(): void {
    if (this.hasSchema()) return;
    migrate(this.sql, MIGRATIONS);
    this.schemaReady = true;
  }

  /** Reads the object (after finishing any pending write). */
  async get(ref: ObjectRef): Promise<Outcome<string>> {
    return outcome(() =>
      this.lock.run(async () => {
        await this.recover();
        const current = this.load();
        if (!current) throw notFound(refOf(this.kindOf(ref)), ref.name);
        return JSON.stringify(current.object);
      }),
    );
  }

  /** Applies one write operation (create, update, patch, apply, delete, scale). */
  async mutate(ref: ObjectRef, op: ObjectOp): Promise<Outcome<WriteResult>> {
    return outcome(() =>
      this.lock.run(async () => {
        await this.recover();
        const kind = this.kindOf(ref);
        const current = this.load();
        const plan = planWrite(kind, ref, current?.object, op, Date.now());
        if (plan.type === undefined || op.dryRun) {
          return { body: JSON.stringify(plan.object), created: plan.created, changed: false, type: plan.type };
        }
        this.ensureSchema();
        this.remember(ref);
        const body = await this.commit(ref, plan.type, plan.object, current?.rv ?? 0);
        return { body, created: plan.created, changed: true, type: plan.type };
      }),
    );
  }

  /** Opens a watch of this one object. */
  async watch(req: WatchRequest): Promise<ReadableStream<Uint8Array>> {
    return this.lock.run(async () => {
      await this.recover();
      return this.watchers.open(req);
    });
  }

  /** The WebSocket form of watch (hibernatable); the front forwards upgrades here. */
  override async fetch(request: Request): Promise<Response> {
    return serveWatchSocket(this.ctx, this, request);
  }

  /** Watch sockets send nothing meaningful; ignore it. */
  override async webSocketMessage(): Promise<void> {}

  /** Always reciprocate a close (1005/1006 cannot be echoed). */
  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    reciprocateClose(ws, code);
  }

  /** EventSource: this object's latest resourceVersion (0 if it never existed). */
  currentRv(): number {
    if (!this.hasSchema()) return 0;
    return this.sql.exec<{ m: number | null }>("SELECT MAX(rv) AS m FROM events").one().m ?? 0;
  }

  /** EventSource: events at or below this resourceVersion were trimmed from this object's log. */
  compactedRv(): number {
    if (!this.hasSchema()) return 0;
    return this.sql.exec<{ v: number }>("SELECT v FROM log_meta WHERE k = 'trimmed'").one().v;
  }

  /** EventSource: the object itself, as the whole snapshot. */
  readSnapshot(_rv: number, afterKey: string, _limit: number, _namespace: string | undefined): { key: string; body: string }[] {
    const current = afterKey === "" ? this.load() : undefined;
    return current ? [{ key: current.object.metadata.name ?? "", body: JSON.stringify(current.object) }] : [];
  }

  /** EventSource: this object's events after `afterRv`. */
  readEvents(afterRv: number, limit: number): StoredEvent[] {
    if (!this.hasSchema()) return [];
    return this.sql
      .exec<{ rv: number; type: EventType; body: string; prev: string | null }>(
        "SELECT rv, type, body, prev FROM events WHERE rv > ? ORDER BY rv LIMIT ?",
        afterRv,
        limit,
      )
      .toArray();
  }

  /** Finishes a pending write and removes objects whose grace period has ended. */
  override async alarm(): Promise<void> {
    const cleanup = await this.lock.run(async () => {
      await this.recover();
      const identity = this.identity();
      const current = this.load();
      if (!identity || !current) return undefined;
      if (shouldRemove(current.object, Date.now())) {
        await this.commit(identity, "DELETED", current.object, current.rv);
        return undefined;
      }
      await this.scheduleAlarm();
      return awaitsCleanup(current.object) ? identity : undefined;
    });
    // Outside the lock: the cleanup finishes by writing to this very object.
    if (cleanup && !(await cleanupNamespace(this.env, cleanup.name))) {
      await this.ctx.storage.setAlarm(Date.now() + NAMESPACE_CLEANUP_RETRY_MS);
    }
  }

  private kindOf(ref: ObjectRef) {
    const kind = kindByResource(ref.resource);
    if (!kind) throw new Error(`unknown resource ${ref.resource}`);
    return kind;
  }

  private load(): { object: KubeObject; rv: number } | undefined {
    if (!this.hasSchema()) return undefined;
    const row = this.sql.exec<{ body: string; rv: number }>("SELECT body, rv FROM object WHERE id = 1").toArray()[0];
    return row ? { object: JSON.parse(row.body) as KubeObject, rv: row.rv } : undefined;
  }

  private identity(): ObjectRef | undefined {
    if (!this.hasSchema()) return undefined;
    return this.sql
      .exec<{ resource: string; namespace: string; name: string }>("SELECT resource, namespace, name FROM identity")
      .toArray()[0];
  }

  private remember(ref: ObjectRef): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO identity (id, resource, namespace, name) VALUES (1, ?, ?, ?)",
      ref.resource,
      ref.namespace,
      ref.name,
    );
  }

  private collection(ref: ObjectRef): DurableObjectStub<CollectionStore> {
    const ns = this.env.COLLECTIONS as DurableObjectNamespace<CollectionStore>;
    return ns.getByName(ref.resource);
  }

  /** The two-step commit described in the module comment. */
  private async commit(ref: ObjectRef, type: EventType, object: KubeObject, prevRv: number): Promise<string> {
    const id = crypto.randomUUID();
    this.sql.exec(
      "INSERT INTO pending (id, type, body, prev_rv) VALUES (?, ?, ?, ?)",
      id,
      type,
      JSON.stringify(object),
      prevRv,
    );
    await this.ctx.storage.setAlarm(Date.now() + RECOVERY_DELAY_MS);
    this.crashIf("afterPending");
    return this.send(ref, { id, type, body: JSON.stringify(object), prev_rv: prevRv });
  }

  private async send(ref: ObjectRef, pending: PendingRow): Promise<string> {
    const result = unwrap<CommitResult>(await this.collection(ref).commit({
      pendingId: pending.id,
      prevRv: pending.prev_rv,
      type: pending.type,
      namespace: ref.namespace,
      name: ref.name,
      body: pending.body,
    }));
    this.crashIf("afterCommit");
    const prev = this.sql.exec<{ body: string }>("SELECT body FROM object").toArray()[0]?.body ?? null;
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM pending WHERE id = ?", pending.id);
      this.sql.exec(
        "INSERT OR IGNORE INTO events (rv, type, body, prev, ts) VALUES (?, ?, ?, ?, ?)",
        result.rv,
        pending.type,
        result.body,
        prev,
        now,
      );
      this.trimLog(now);
      if (pending.type === "DELETED") this.sql.exec("DELETE FROM object");
      else {
        this.sql.exec(
          "INSERT OR REPLACE INTO object (id, body, rv) VALUES (1, ?, ?)",
          result.body,
          result.rv,
        );
      }
    });
    const event: StoredEvent = { rv: result.rv, type: pending.type, body: result.body, prev };
    this.watchers.notify(event);
    notifySockets(this.ctx, event);
    await this.scheduleAlarm();
    return result.body;
  }

  /** Re-sends a pending write left by a crash; a no-op otherwise. */
  private async recover(): Promise<void> {
    if (!this.hasSchema()) return;
    const pending = this.sql.exec<PendingRow>("SELECT id, type, body, prev_rv FROM pending").toArray()[0];
    if (!pending) return;
    const identity = this.identity();
    if (!identity) throw new Error("pending write without identity");
    await this.send(identity, pending);
  }

  /** Keeps the last OBJECT_LOG_EVENTS events and everything newer than OBJECT_LOG_MS. */
  private trimLog(now: number): void {
    const keep = this.sql
      .exec<{ rv: number }>("SELECT rv FROM events ORDER BY rv DESC LIMIT 1 OFFSET ?", OBJECT_LOG_EVENTS - 1)
      .toArray()[0];
    if (!keep) return;
    const cut = this.sql
      .exec<{ m: number | null }>("SELECT MAX(rv) AS m FROM events WHERE rv < ? AND ts < ?", keep.rv, now - OBJECT_LOG_MS)
      .one().m;
    if (cut === null) return;
    this.sql.exec("DELETE FROM events WHERE rv <= ?", cut);
    this.sql.exec("UPDATE log_meta SET v = MAX(v, ?) WHERE k = 'trimmed'", cut);
  }

  /** One alarm: the end of a graceful deletion, if any. */
  private async scheduleAlarm(): Promise<void> {
    const current = this.load();
    if (current && awaitsCleanup(current.object)) {
      await this.ctx.storage.setAlarm(Date.now());
      return;
    }
    const at = current?.object.metadata.deletionTimestamp;
    // Past the deadline an object is only held by finalizers, whose removal is an update.
    if (at !== undefined && Date.parse(at) > Date.now()) await this.ctx.storage.setAlarm(Date.parse(at));
    else await this.ctx.storage.deleteAlarm();
  }

  private crashIf(point: FaultPoint): void {
    if (this.fault === point) {
      this.fault = undefined;
      throw new Error(`injected crash ${point}`);
    }
  }
}
