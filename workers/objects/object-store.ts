/**
 * @module
 * One ObjectStore per Kubernetes object: its single writer. A write is
 * computed here, recorded as *pending* in this object's SQLite, committed to
 * the kind's CollectionStore (which assigns the resourceVersion), and then
 * marked committed. A pending row found later (after a crash at any step) is
 * re-sent — the collection commit is idempotent on its id — so every write
 * ends with exactly one event and GET, list and watch agree (invariant 5).
 */
import { costEnv, costSql } from "../cost/wiring";
import { DurableObject } from "cloudflare:workers";
import { alarmTime } from "../../shared/k8s/deadline";
import { ApiError, forbiddenObject, notFound } from "../../shared/k8s/errors";
import type { KubeObject } from "../../shared/k8s/object";
import { kindByResource } from "../registry";
import { changeObserver } from "./change-observer";
import { type CollectionStore, type CommitResult, type EventType, rvPlaceholder } from "./collection-store";
import { shouldRemove } from "./delete-rules";
import { Mutex } from "./mutex";
import { type ObjectOp, planWrite } from "./object-ops";
import type { ObjectRef } from "./object-ref";
import { outcome, whilePending, type Outcome } from "./outcome";
import { createObjectSchema, openObjectSchema, readIdentity } from "./object-schema";
import type { StoredEvent } from "../watch/event-filter";
import { EventLog } from "../watch/event-log";
import type { EventSource } from "../watch/watch-session";
import { WatchHub, type WatchStream } from "../watch/watch-hub";
import type { WatchRequest } from "../watch/watch-request";
import { awaitsCleanup, runNamespaceCleanup } from "./namespace-cleanup";
import { refOf } from "./write-rules";
import { factsOfWrite, type FactKey, readFacts, writeFacts } from "./server-facts";
import { type PlannedWrite, writeAdmission } from "./write-admission";

/** An object keeps at least this many of its own events… */
const OBJECT_LOG_EVENTS = 100;
/** …and at least this much history (ms), like the collection's window. */
const OBJECT_LOG_MS = 5 * 60 * 1000;

/** The object's own log is trimmed every this many commits (and on the first after a restart), not on each. */
const TRIM_EVERY = 16;

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

/** The stored object: parsed, as stored (JSON), and its resourceVersion. */
interface Stored {
  object: KubeObject;
  body: string;
  rv: number;
}

/** The collection refused a commit for good: its pending row was dropped (see `send`). */
class CommitRefused extends ApiError {}

/** The per-object Durable Object. */
export class ObjectStore extends DurableObject<Env> implements EventSource {
  private readonly sql: SqlStorage;
  private readonly lock = new Mutex();
  /** A crash to simulate at the next write; only tests set it (test/do-internals.ts). */
  private fault: FaultPoint | undefined;
  private schemaReady = false;
  /** True once this object's storage was seen without tables (a name never written, or deleted storage). */
  private schemaAbsent = false;
  /**
   * True once no pending row is known to exist: only this object writes them,
   * so after one look the next writes need not ask SQLite again (a row left by
   * a failed send clears it, and the next call recovers).
   */
  private noPending = false;
  /** Commits until the object's log is trimmed again (0: at the next one). */
  private commitsUntilTrim = 0;
  /** This object's watchers (public so tests can lower its caps through runInDurableObject). */
  readonly watchers: WatchHub;
  private readonly log: EventLog;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, costEnv(env));
    this.sql = costSql(ctx.storage.sql);
    this.watchers = new WatchHub(ctx, this);
    this.log = new EventLog(this.sql, {
      meta: { table: "meta", key: "trimmed" },
      retainEvents: OBJECT_LOG_EVENTS,
      retainMs: OBJECT_LOG_MS,
      // One object's log: each event's previous object is the event before it.
      prevs: "derived",
    });
  }

  /**
   * The schema is created on the first write, not in the constructor: a GET
   * of a name that never existed then leaves no storage behind.
   */
  private hasSchema(): boolean {
    if (this.schemaReady) return true;
    // Only this object ever creates its tables, so an absence once seen holds until ensureSchema.
    if (this.schemaAbsent) return false;
    // A store written by an older version is upgraded now (object-schema.ts).
    const found = openObjectSchema(this.sql, this.ctx.storage);
    this.schemaReady = found;
    this.schemaAbsent = !found;
    return found;
  }

  private ensureSchema(ref: ObjectRef): void {
    if (this.hasSchema()) return;
    // Nothing here yet: every table and the store's identity in one call (a create always lands here).
    createObjectSchema(this.sql, ref);
    // A new log has nothing to trim: the first trim comes TRIM_EVERY commits from now (it used to
    // come with the first commit, a DELETE over an empty log in every create's transaction).
    this.commitsUntilTrim = TRIM_EVERY - 1;
    this.schemaReady = true;
    this.schemaAbsent = false;
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
        const now = Date.now();
        const facts = current ? readFacts(this.sql, current.object.metadata.uid) : {};
        const plan = planWrite(kind, ref, current?.object, op, now, facts);
        // Admission (quota) before anything is recorded: it may refuse, or reserve what `undo` gives back.
        const planned: PlannedWrite | undefined = plan.type === undefined ? undefined : { type: plan.type, object: plan.object };
        const undo = planned ? await writeAdmission()?.before(this.env, kind, ref, current?.object, planned, op.dryRun ?? false) : undefined;
        const implied = op.dryRun ? {} : factsOfWrite(current?.object, plan.object, op.verb === "report" ? op.sequence : undefined, now);
        if (plan.type === undefined || op.dryRun) {
          // A report that changes nothing still moves the fence.
          if (current) writeFacts(this.sql, current.object.metadata.uid, implied);
          return { body: JSON.stringify(plan.object), created: plan.created, changed: false, type: plan.type };
        }
        // The identity of a store never changes; it is recorded with its tables.
        this.ensureSchema(ref);
        // No await until the pending row is written: the facts commit with the write.
        writeFacts(this.sql, plan.object.metadata.uid, implied);
        let body: string;
        try {
          body = await this.commit(ref, plan.type, plan.object, current);
        } catch (err) {
          // Refused for good: nothing was stored, so the reservation goes. Any other failure may still commit.
          if (undo && err instanceof CommitRefused) {
            // The refusal is the answer; a reservation that cannot be given back now is healed by the quota controllers.
            await undo().catch((e: unknown) => console.error("giving back a refused write's reservation failed", e));
          }
          throw err;
        }
        if (planned) await writeAdmission()?.after(this.env, kind, ref, current?.object, planned);
        return { body, created: plan.created, changed: true, type: plan.type };
      }),
    );
  }

  /**
   * A heartbeat that changes nothing in Node `ref`'s status: records that the
   * server heard from the node now (`heartbeatSeenAt`) and nothing else — no
   * write, no resourceVersion, no event, no reconcile, as upstream's kubelet
   * renews its Lease instead of writing the Node. Only node `byNode` itself
   * may renew its own Node (NodeRestriction). Answers the Node as stored.
   */
  async renewHeartbeat(ref: ObjectRef, byNode: string): Promise<Outcome<string>> {
    return outcome(() =>
      this.lock.run(async () => {
        await this.recover();
        const kind = this.kindOf(ref);
        const current = this.load();
        if (!current) throw notFound(refOf(kind), ref.name);
        if (kind.kind !== "Node" || ref.name !== byNode) {
          throw forbiddenObject(refOf(kind), ref.name, `node "${byNode}" may only renew its own heartbeat`);
        }
        writeFacts(this.sql, current.object.metadata.uid, { heartbeatSeenAt: Date.now() });
        return JSON.stringify(current.object);
      }),
    );
  }

  /** A fact the server keeps about the current object (server-facts.ts); undefined when unknown or absent. */
  async fact(key: FactKey): Promise<number | undefined> {
    const current = this.load();
    return current ? readFacts(this.sql, current.object.metadata.uid)[key] : undefined;
  }

/** Opens a watch of this one object (after finishing any pending write, so the log is complete). */
  async watch(req: WatchRequest): Promise<Outcome<WatchStream>> {
    return outcome(() =>
      this.lock.run(async () => {
        await this.recover();
        return this.watchers.openStream(req);
      }),
    );
  }

  /** The front saw a watch client go away. */
  async cancelWatch(id: string): Promise<void> {
    this.watchers.cancelStream(id);
  }

  /** The WebSocket form of watch (hibernatable); served under the lock after recovery, as `watch`. */
  override async fetch(request: Request): Promise<Response> {
    return this.lock.run(async () => {
      await this.recover();
      return this.watchers.serveSocket(request);
    });
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

  /** EventSource: this object's latest resourceVersion (0 if it never existed). */
  currentRv(): number {
    return this.hasSchema() ? this.log.latestRv() : 0;
  }

  /** EventSource: events at or below this resourceVersion were trimmed from this object's log. */
  compactedRv(): number {
    return this.hasSchema() ? this.log.compactedRv() : 0;
  }

  /** EventSource: the object itself, as the whole snapshot. */
  readSnapshot(_rv: number, afterKey: string, _limit: number, _namespace: string | undefined): { key: string; body: string }[] {
    const current = afterKey === "" ? this.load() : undefined;
    return current ? [{ key: current.object.metadata.name ?? "", body: JSON.stringify(current.object) }] : [];
  }

  /** EventSource: this object's events after `afterRv`. */
  readEvents(afterRv: number, limit: number): StoredEvent[] {
    return this.hasSchema() ? this.log.read(afterRv, limit) : [];
  }

  /** Finishes a pending write and removes objects whose grace period has ended. */
  override async alarm(): Promise<void> {
    const cleanup = await this.lock.run(async () => {
      await this.recover();
      const identity = this.identity();
      const current = this.load();
      if (!identity || !current) return undefined;
      if (shouldRemove(current.object, Date.now())) {
        await this.commit(identity, "DELETED", current.object, current);
        await writeAdmission()?.after(this.env, this.kindOf(identity), identity, current.object, { type: "DELETED", object: current.object });
        return undefined;
      }
      await this.scheduleAlarm(current.object);
      return awaitsCleanup(current.object) ? identity : undefined;
    });
    // Outside the lock: the cleanup finishes by writing to this very object. It schedules its own next pass, with backoff.
    if (cleanup) await runNamespaceCleanup(this.env, this.ctx.storage, cleanup.name);
  }

  private kindOf(ref: ObjectRef) {
    const kind = kindByResource(ref.resource);
    if (!kind) throw new Error(`unknown resource ${ref.resource}`);
    return kind;
  }

  private load(): Stored | undefined {
    if (!this.hasSchema()) return undefined;
    const row = this.sql.exec<{ body: string; rv: number }>("SELECT body, rv FROM object WHERE id = 1").toArray()[0];
    return row ? { object: JSON.parse(row.body) as KubeObject, body: row.body, rv: row.rv } : undefined;
  }

  private identity(): ObjectRef | undefined {
    return this.hasSchema() ? readIdentity(this.sql) : undefined;
  }

  private collection(ref: ObjectRef): DurableObjectStub<CollectionStore> {
    const ns = this.env.COLLECTIONS as DurableObjectNamespace<CollectionStore>;
    return ns.getByName(ref.resource);
  }

  /**
   * The two-step commit described in the module comment. The object is
   * encoded once, with its pending id as a placeholder resourceVersion that
   * the collection replaces (rvPlaceholder).
   */
  private async commit(ref: ObjectRef, type: EventType, object: KubeObject, prev: Stored | undefined): Promise<string> {
    const id = crypto.randomUUID();
    object.metadata.resourceVersion = id;
    const pending: PendingRow = { id, type, body: JSON.stringify(object), prev_rv: prev?.rv ?? 0 };
    this.sql.exec("INSERT INTO pending (id, type, body, prev_rv) VALUES (?, ?, ?, ?)", id, type, pending.body, pending.prev_rv);
    this.noPending = false;
    // From here on the write may still apply (recovery re-sends the row): a failure is 504, never 500.
    return whilePending(async () => {
      await this.ctx.storage.setAlarm(Date.now() + RECOVERY_DELAY_MS);
      this.crashIf("afterPending");
      return this.send(ref, pending, object, prev, true);
    });
  }

  /**
   * Sends a pending write to the collection and records it as committed. A
   * failure to reach the collection keeps the pending row for a retry; a
   * refusal by the collection (nothing applied, and a resend would be refused
   * again) ends it: the row is dropped, the object keeps its previous state
   * and the refusal is thrown as a {@link CommitRefused}. `object` is the
   * pending body parsed, `prev` the stored object it replaces; `firstSend`
   * when the row was written by this very call (no earlier send can have committed it).
   */
  private async send(ref: ObjectRef, pending: PendingRow, object: KubeObject, prev: Stored | undefined, firstSend = false): Promise<string> {
    const observer = changeObserver();
    const answer = await this.collection(ref).commit({
      pendingId: pending.id,
      prevRv: pending.prev_rv,
      type: pending.type,
      namespace: ref.namespace,
      name: ref.name,
      body: pending.body,
      labels: JSON.stringify(object.metadata.labels ?? {}),
      // Computed here, where both states are parsed already, not in the kind's one serial collection.
      reconcileKeys: observer?.keysForChange(object, prev?.object ?? null, pending.type) ?? [],
      resyncs: observer?.resyncs(object.kind) ?? false,
      ...(firstSend ? { firstSend } : {}),
    });
    if (!answer.ok) {
      this.sql.exec("DELETE FROM pending WHERE id = ?", pending.id);
      this.noPending = true;
      await this.scheduleAlarm(prev?.object);
      const s = answer.status;
      throw new CommitRefused(s.code, s.reason, s.message, s.details);
    }
    const result: CommitResult = answer.value;
    this.crashIf("afterCommit");
    const now = Date.now();
    const event: StoredEvent = { rv: result.rv, type: pending.type, body: result.body, prev: prev?.body ?? null };
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM pending WHERE id = ?", pending.id);
      this.log.append(event, now);
      if (--this.commitsUntilTrim < 0) {
        this.commitsUntilTrim = TRIM_EVERY - 1;
        this.log.trim(now);
      }
      if (pending.type === "DELETED") this.sql.exec("DELETE FROM object");
      else {
        this.sql.exec(
          "INSERT OR REPLACE INTO object (id, body, rv) VALUES (1, ?, ?)",
          result.body,
          result.rv,
        );
      }
    });
    this.noPending = true;
    this.watchers.notify(event);
    await this.scheduleAlarm(pending.type === "DELETED" ? undefined : object);
    return result.body;
  }

  /** Re-sends a pending write left by a crash; a no-op otherwise. */
  private async recover(): Promise<void> {
    if (this.noPending || !this.hasSchema()) return;
    const pending = this.sql.exec<PendingRow>("SELECT id, type, body, prev_rv FROM pending").toArray()[0];
    if (!pending) {
      this.noPending = true;
      return;
    }
    const identity = this.identity();
    if (!identity) throw new Error("pending write without identity");
    try {
      await this.send(identity, pending, JSON.parse(pending.body) as KubeObject, this.load());
    } catch (err) {
      // The write that left this row was answered (or lost) long ago; this caller goes on with the previous state.
      if (!(err instanceof CommitRefused)) throw err;
      console.error(`pending write ${pending.id} of ${identity.resource}/${identity.namespace}/${identity.name} dropped: ${err.message}`);
    }
  }

  /** One alarm: the end of a graceful deletion, if any (`current`: the object as stored now). */
  private async scheduleAlarm(current: KubeObject | undefined): Promise<void> {
    if (current && awaitsCleanup(current)) {
      await this.ctx.storage.setAlarm(Date.now());
      return;
    }
    const at = current?.metadata.deletionTimestamp;
    // Past the deadline an object is only held by finalizers, whose removal is an update.
    // A grace period may end as late as the year 9999; alarms stop at 2189 (shared/k8s/deadline.ts).
    if (at !== undefined && Date.parse(at) > Date.now()) await this.ctx.storage.setAlarm(alarmTime(Date.parse(at)));
    else await this.ctx.storage.deleteAlarm();
  }

  private crashIf(point: FaultPoint): void {
    if (this.fault === point) {
      this.fault = undefined;
      throw new Error(`injected crash ${point}`);
    }
  }
}
