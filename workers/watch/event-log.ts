/**
 * @module
 * The event log a store keeps for its watchers: every committed change with
 * its previous object, appended in resourceVersion order, read after a
 * resourceVersion, and trimmed by count and age. What trimming removes is
 * remembered as the compacted resourceVersion: a watch or list from at or
 * below it is answered 410 Expired (the client relists). One component for
 * both stores: an object keeps its own short log (single-object watches), a
 * kind's collection the long one (collection watches, consistent paging).
 *
 * The tables stay those each store created in its first migrations: both have
 * `events (rv, type, body, prev, ts, …)`; the collection's has `key` and
 * `namespace` too, and each keeps the compacted resourceVersion in its own
 * meta table under its own key. An event's previous object has a row of its
 * own in `event_prevs (rv, prev)`: a SQLite row holds at most 2 MB and an
 * object and its previous state may each be up to the object size limit.
 * Events written before that table existed keep theirs in `events.prev`.
 *
 * An object's own log need not store previous objects at all: it holds every
 * change of one object in order, so an event's previous object is the body
 * of the event before it (none for an ADDED). With `prevs: "derived"` the log
 * stores none, and a trim keeps the newest event it compacts so that the
 * first event served after it still has its previous object. The collection's
 * log interleaves many objects and stores them (`prevs: "stored"`).
 */
import type { EventType } from "../objects/collection-store";
import type { StoredEvent } from "./event-filter";

/** Where a store keeps its log and how much history it retains. */
export interface EventLogOptions {
  /** The `(k, v)` table and key holding the compacted resourceVersion. */
  meta: { table: string; key: string };
  /** At least this many of the newest events are kept… */
  retainEvents: number;
  /** …and every event younger than this (ms). */
  retainMs: number;
  /** Whether previous objects are stored with the events or derived from the event before (module comment). */
  prevs: "stored" | "derived";
}

/** Columns a collection's log records beside each event (its key and namespace). */
export interface EventColumns {
  key: string;
  namespace: string;
}

/** A store's event log over its SQLite tables. */
export class EventLog {
  constructor(
    private readonly sql: SqlStorage,
    private readonly opts: EventLogOptions,
  ) {}

  /** Appends one committed event (idempotent on its resourceVersion). Call inside the commit's transaction. */
  append(ev: StoredEvent, ts: number, columns?: EventColumns): void {
    if (columns) {
      this.sql.exec(
        "INSERT OR IGNORE INTO events (rv, type, key, namespace, body, prev, ts) VALUES (?, ?, ?, ?, ?, NULL, ?)",
        ev.rv, ev.type, columns.key, columns.namespace, ev.body, ts,
      );
    } else {
      this.sql.exec(
        "INSERT OR IGNORE INTO events (rv, type, body, prev, ts) VALUES (?, ?, ?, NULL, ?)",
        ev.rv, ev.type, ev.body, ts,
      );
    }
    if (ev.prev !== null && this.opts.prevs === "stored") {
      this.sql.exec("INSERT OR IGNORE INTO event_prevs (rv, prev) VALUES (?, ?)", ev.rv, ev.prev);
    }
  }

  /** Events after `afterRv`, ascending, at most `limit`. */
  read(afterRv: number, limit: number): StoredEvent[] {
    return this.opts.prevs === "derived" ? this.readDerived(afterRv, limit) : this.readStored(afterRv, limit);
  }

  private readStored(afterRv: number, limit: number): StoredEvent[] {
    return this.sql
      .exec<{ rv: number; type: EventType; body: string; prev: string | null }>(
        "SELECT e.rv AS rv, e.type AS type, e.body AS body, COALESCE(e.prev, p.prev) AS prev " +
          "FROM events e LEFT JOIN event_prevs p ON p.rv = e.rv WHERE e.rv > ? ORDER BY e.rv LIMIT ?",
        afterRv,
        limit,
      )
      .toArray();
  }

  /** One object's events with each previous object taken from the event before it (module comment). */
  private readDerived(afterRv: number, limit: number): StoredEvent[] {
    const rows = this.sql
      .exec<{ rv: number; type: EventType; body: string }>("SELECT rv, type, body FROM events WHERE rv > ? ORDER BY rv LIMIT ?", afterRv, limit)
      .toArray();
    const first = rows[0];
    // The event at or before afterRv: kept by every trim (see trim), so a non-ADDED first event has one.
    let before = first === undefined || first.type === "ADDED"
      ? null
      : (this.sql.exec<{ body: string }>("SELECT body FROM events WHERE rv <= ? ORDER BY rv DESC LIMIT 1", afterRv).toArray()[0]?.body ?? null);
    return rows.map((row) => {
      const ev: StoredEvent = { rv: row.rv, type: row.type, body: row.body, prev: row.type === "ADDED" ? null : before };
      before = row.body;
      return ev;
    });
  }

  /** The newest logged resourceVersion (0 for an empty log). */
  latestRv(): number {
    return this.sql.exec<{ m: number | null }>("SELECT MAX(rv) AS m FROM events").one().m ?? 0;
  }

  /** Events at or below this resourceVersion are gone: reading from there is 410 Expired. */
  compactedRv(): number {
    const { table, key } = this.opts.meta;
    return this.sql.exec<{ v: number }>(`SELECT v FROM ${table} WHERE k = ?`, key).one().v;
  }

  /**
   * Drops events that are both beyond the newest `retainEvents` and older
   * than `retainMs`, and raises the compacted resourceVersion to match.
   */
  trim(now: number): void {
    const keep = this.sql
      .exec<{ rv: number }>("SELECT rv FROM events ORDER BY rv DESC LIMIT 1 OFFSET ?", this.opts.retainEvents - 1)
      .toArray()[0];
    if (!keep) return;
    const cut = this.sql
      .exec<{ m: number | null }>("SELECT MAX(rv) AS m FROM events WHERE rv < ? AND ts < ?", keep.rv, now - this.opts.retainMs)
      .one().m;
    if (cut === null) return;
    const { table, key } = this.opts.meta;
    if (this.opts.prevs === "derived") {
      // The event at the cut stays, unserved, as the previous object of the first one served after it.
      this.sql.exec("DELETE FROM events WHERE rv < ?", cut);
    } else {
      this.sql.exec("DELETE FROM events WHERE rv <= ?", cut);
      this.sql.exec("DELETE FROM event_prevs WHERE rv <= ?", cut);
    }
    this.sql.exec(`UPDATE ${table} SET v = MAX(v, ?) WHERE k = ?`, cut, key);
  }
}
