/**
 * @module
 * The watch state machine, one per watcher, whatever carries it (a chunked
 * HTTP stream or a WebSocket: see {@link WatchSink}). A session moves through
 * three phases: `initial` (synthetic ADDED events for a consistent snapshot,
 * read page by page), `catchup` (events after its resourceVersion, read from
 * the store's event log the same way) and `live` (events pushed by the store
 * as it commits). History is read only while the sink has room, so a slow
 * client never makes the server buffer it; in `live`, a client whose unread
 * backlog passes MAX_BACKLOG_BYTES is closed (as upstream closes a slow
 * watcher) and resumes from its last resourceVersion without loss. A session
 * never delivers an event at or below its position, ends at its deadline
 * (timeoutSeconds), sends BOOKMARKs when idle if asked, and is closed when its
 * client stops reading with data pending.
 */
import { encodeBookmark, encodeEvent, encodeExpired, type WireEventType } from "./encode";
import { EventView, eventFor, filterOf, type ObjectFilter, type StoredEvent } from "./event-filter";
import type { WatchRequest } from "./watch-request";

/** What a store offers its watchers. */
export interface EventSource {
  currentRv(): number;
  /** Events at or below this resourceVersion are gone from the log. */
  compactedRv(): number;
  /** Objects as of `rv`, after `afterKey` in key order (for initial events). */
  readSnapshot(rv: number, afterKey: string, limit: number, namespace: string | undefined): { key: string; body: string }[];
  /** Events after `afterRv`, ascending. */
  readEvents(afterRv: number, limit: number): StoredEvent[];
}

/** Where a session's events go: the transport half of a watcher. */
export interface WatchSink {
  /** Sends one event or bookmark (JSON text, no line break). */
  send(text: string): void;
  /** Sends a plain-JSON event many watchers share (its encoding is cached on the view). */
  sendShared(view: EventView, type: WireEventType, body: string): void;
  /** Bytes sent that the client has not taken yet (0 where the transport cannot tell). */
  backlog(): number;
  /** Whether history may be read now (the client has room). */
  hasRoom(): boolean;
  /** Whether a client with unread data has made no progress for `stallMs` as of `now`. */
  stalled(now: number, stallMs: number): boolean;
  /** Ends the transport (the session is closed). */
  end(reason: CloseReason): void;
}

/** Why a session ended. */
export type CloseReason = "expired" | "timeout" | "slow" | "stalled" | "cancelled" | "shutdown";

/** Where a session stands, for a sink that must survive hibernation. */
export interface SessionCheckpoint {
  /** Every event at or below this resourceVersion has been considered. */
  position: number;
  /** Whether a Table watch already got its column definitions. */
  sentColumns: boolean;
  /** When the session ends (ms since the epoch). */
  deadline: number;
}

/** A live watcher that falls this far behind is closed (it resumes from its last RV). */
export const MAX_BACKLOG_BYTES = 1024 * 1024;
/** Rows read per pull in the initial and catch-up phases. */
const BATCH = 100;
/** A stream with unread data whose client has not read for this long is closed. */
export const STALL_MS = 30_000;
/** An idle watcher that asked for bookmarks gets one at least this often. */
export const BOOKMARK_INTERVAL_MS = 30_000;

/** Options of a session beyond its request. */
export interface SessionOptions {
  /** Called once when the session ends. */
  onClose?: (reason: CloseReason) => void;
  /** Called when the session goes live or first sends columns (sinks that must persist it). */
  onCheckpoint?: (c: SessionCheckpoint) => void;
  /** Resume a live session from a checkpoint (a socket after hibernation). */
  resume?: SessionCheckpoint;
  /** Arm a timer for the deadline (HTTP); else the deadline is checked on notify and tick. */
  timer?: boolean;
}

/** One watcher's state machine. */
export class WatchSession {
  private phase: "initial" | "catchup" | "live" | "closed";
  private position: number;
  private snapshotRv = 0;
  private afterKey = "";
  private sentColumns = false;
  private filling = false;
  private lastSentAt = Date.now();
  private readonly filter: ObjectFilter | undefined;
  private readonly deadline: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sink: WatchSink | undefined;

  constructor(
    private readonly source: EventSource,
    readonly req: WatchRequest,
    private readonly opts: SessionOptions = {},
  ) {
    this.filter = filterOf(req);
    const resume = opts.resume;
    if (resume) {
      this.phase = "live";
      this.position = resume.position;
      this.sentColumns = resume.sentColumns;
      this.deadline = resume.deadline;
      return;
    }
    this.deadline = req.timeoutSeconds === undefined ? Number.MAX_SAFE_INTEGER : Date.now() + req.timeoutSeconds * 1000;
    const current = source.currentRv();
    if (req.sendInitialEvents) {
      this.phase = "initial";
      this.snapshotRv = Math.max(current, req.resourceVersion ?? 0);
      this.position = this.snapshotRv;
    } else {
      this.phase = "catchup";
      this.position = req.resourceVersion ?? current;
    }
  }

  /** Attaches the sink and starts: a 410 for a compacted resourceVersion, else history as room allows. */
  start(sink: WatchSink): void {
    this.sink = sink;
    if (this.opts.timer && this.deadline < Number.MAX_SAFE_INTEGER) {
      this.timer = setTimeout(() => this.close("timeout"), Math.max(0, this.deadline - Date.now()));
    }
    if (this.phase === "catchup" && this.position < this.source.compactedRv()) {
      // Sending may call back into fill(): the guard keeps it from expiring twice.
      this.filling = true;
      try {
        this.expire();
      } finally {
        this.filling = false;
      }
      return;
    }
    this.fill();
  }

  /** The store calls this for every committed event, in order (`view` is shared by all watchers). */
  notify(ev: StoredEvent, view: EventView): void {
    if (this.phase === "live" && Date.now() >= this.deadline) {
      this.close("timeout");
      return;
    }
    if (this.phase !== "live" || ev.rv <= this.position) return;
    this.position = ev.rv;
    const out = eventFor(ev, this.filter, view);
    if (out) {
      if (this.req.format.kind === "json") {
        this.sink?.sendShared(view, out.type, out.body);
        this.lastSentAt = Date.now();
      } else this.sendEvent(out.type, out.body);
    }
    if ((this.sink?.backlog() ?? 0) > MAX_BACKLOG_BYTES) this.close("slow");
  }

  /** Periodic check: deadline, a stalled client, and a BOOKMARK for an idle watcher that asked for them. */
  tick(now: number): void {
    if (this.phase === "closed" || !this.sink) return;
    if (now >= this.deadline) {
      this.close("timeout");
      return;
    }
    if (this.sink.stalled(now, STALL_MS)) {
      this.close("stalled");
      return;
    }
    if (this.phase !== "live" || !this.req.allowWatchBookmarks) return;
    if (now - this.lastSentAt >= BOOKMARK_INTERVAL_MS) this.send(encodeBookmark(this.req.resource, this.position, false));
  }

  /** Whether the session has ended. */
  isClosed(): boolean {
    return this.phase === "closed";
  }

  /** Whether the session is past history and receives commits as they happen. */
  isLive(): boolean {
    return this.phase === "live";
  }

  /** Ends the session (the client resumes from its last resourceVersion). */
  close(reason: CloseReason = "shutdown"): void {
    if (this.phase === "closed") return;
    this.phase = "closed";
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.sink?.end(reason);
    this.opts.onClose?.(reason);
  }

  /** Reads history while the sink has room; goes live once caught up. */
  fill(): void {
    // A sink may call back into fill() while it is being written; a nested fill would reorder events.
    if (this.filling || !this.sink) return;
    this.filling = true;
    try {
      while ((this.phase === "initial" || this.phase === "catchup") && this.sink.hasRoom()) {
        if (this.phase === "initial") this.fillInitial();
        else this.fillCatchup();
      }
    } finally {
      this.filling = false;
    }
  }

  private checkpoint(): SessionCheckpoint {
    return { position: this.position, sentColumns: this.sentColumns, deadline: this.deadline };
  }

  /** Ends the session with one ERROR 410 event (the client relists). */
  private expire(): void {
    this.send(encodeExpired(this.position, this.source.compactedRv() + 1));
    this.close("expired");
  }

  private send(text: string): void {
    this.sink?.send(text);
    this.lastSentAt = Date.now();
  }

  private sendEvent(type: WireEventType, body: string): void {
    const withColumns = !this.sentColumns;
    this.send(encodeEvent(this.req.resource, type, body, this.req.format, withColumns));
    if (withColumns) {
      this.sentColumns = true;
      if (this.req.format.kind === "table") this.opts.onCheckpoint?.(this.checkpoint());
    }
  }

  private fillInitial(): void {
    const rows = this.source.readSnapshot(this.snapshotRv, this.afterKey, BATCH, this.req.namespace);
    for (const row of rows) {
      this.afterKey = row.key;
      const out = eventFor({ rv: this.snapshotRv, type: "ADDED", body: row.body, prev: null }, this.filter);
      if (out) this.sendEvent("ADDED", out.body);
    }
    if (rows.length < BATCH) {
      this.phase = "catchup";
      if (this.req.initialEventsEndBookmark) this.send(encodeBookmark(this.req.resource, this.snapshotRv, true));
    }
  }

  private fillCatchup(): void {
    if (this.position < this.source.compactedRv()) {
      this.expire();
      return;
    }
    const events = this.source.readEvents(this.position, BATCH);
    for (const ev of events) {
      this.position = ev.rv;
      const out = eventFor(ev, this.filter);
      if (out) this.sendEvent(out.type, out.body);
    }
    if (events.length < BATCH && this.phase === "catchup") {
      this.phase = "live";
      this.opts.onCheckpoint?.(this.checkpoint());
    }
  }
}
