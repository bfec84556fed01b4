/**
 * @module
 * One HTTP watch stream. A watcher moves through three phases: `initial`
 * (synthetic ADDED events for a consistent snapshot, read page by page as
 * the client drains them), `catchup` (events after its resourceVersion, read
 * from the store's event log the same way) and `live` (events pushed by the
 * store as it commits). Reads happen only when the client has room, so a
 * slow client never makes the server buffer history; in `live`, a client
 * that falls more than MAX_BACKLOG_BYTES behind is closed and resumes from
 * its last resourceVersion without loss (invariant 2).
 */
import { encodeBookmark, encodeEvent, encodeExpired } from "./encode";
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

/** A watcher that falls this far behind in live mode is closed (it resumes from its last RV). */
export const MAX_BACKLOG_BYTES = 1024 * 1024;
/** Bytes a stream buffers before it stops reading history. */
const HIGH_WATER_MARK = 64 * 1024;
/** Rows read per pull in the initial and catch-up phases. */
const BATCH = 100;
/** A stream with unread data whose client has not read for this long is closed. */
export const STALL_MS = 30_000;
/** An idle watcher that asked for bookmarks gets one at least this often. */
export const BOOKMARK_INTERVAL_MS = 30_000;

const encoder = new TextEncoder();

/** One watch stream. */
export class Watcher {
  readonly stream: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private phase: "initial" | "catchup" | "live" | "closed";
  /** Every event with rv <= position has been considered for this watcher. */
  private position: number;
  private snapshotRv = 0;
  private afterKey = "";
  private sentEvents = 0;
  private filling = false;
  private lastSentAt = Date.now();
  private lastPullAt = Date.now();
  private pushed = 0;
  private dequeuedAtTick = 0;
  private readonly filter: ObjectFilter | undefined;
  private readonly timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly source: EventSource,
    private readonly req: WatchRequest,
    private readonly onClose: (w: Watcher) => void,
  ) {
    this.filter = filterOf(req);
    const current = source.currentRv();
    if (req.sendInitialEvents) {
      this.phase = "initial";
      this.snapshotRv = Math.max(current, req.resourceVersion ?? 0);
      this.position = this.snapshotRv;
    } else {
      this.phase = "catchup";
      this.position = req.resourceVersion ?? current;
    }
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.controller = c;
        },
        pull: () => {
          this.lastPullAt = Date.now();
          this.fill();
        },
        cancel: () => this.close(),
      },
      { highWaterMark: HIGH_WATER_MARK, size: (chunk) => chunk.byteLength },
    );
    const compacted = source.compactedRv();
    if (this.phase === "catchup" && this.position < compacted) this.expire();
    if (req.timeoutSeconds !== undefined) {
      this.timer = setTimeout(() => this.close(), req.timeoutSeconds * 1000);
    }
  }

  /** The store calls this for every committed event, in order (`view` is shared by all watchers). */
  notify(ev: StoredEvent, view: EventView): void {
    if (this.phase !== "live" || ev.rv <= this.position) return;
    this.position = ev.rv;
    const out = eventFor(ev, this.filter, view);
    if (out) {
      if (this.req.format.kind === "json") this.push(view.jsonLine(out.type, out.body));
      else this.emit(encodeEvent(this.req.resource, out.type, out.body, this.req.format, this.sentEvents === 0));
      this.sentEvents++;
    }
    if (this.queued() > MAX_BACKLOG_BYTES) this.close();
  }

  /**
   * Sends a BOOKMARK if the watcher asked for them and has been quiet, and
   * closes a stream whose client has stopped reading: a disconnect is not
   * always reported to the store (stream cancellation does not cross Durable
   * Object RPC reliably), so a backlog nobody drains for STALL_MS ends it.
   */
  tick(now: number): void {
    if (this.phase === "closed") return;
    // Progress = bytes the client took since the last tick (pull is not called while the queue is above its mark).
    const dequeued = this.pushed - this.queued();
    if (dequeued > this.dequeuedAtTick) this.lastPullAt = now;
    this.dequeuedAtTick = dequeued;
    if (this.queued() > 0 && now - this.lastPullAt >= STALL_MS) {
      this.close();
      return;
    }
    if (this.phase !== "live" || !this.req.allowWatchBookmarks) return;
    if (now - this.lastSentAt >= BOOKMARK_INTERVAL_MS) this.emit(encodeBookmark(this.req.resource, this.position, false));
  }

  private queued(): number {
    return HIGH_WATER_MARK - (this.controller.desiredSize ?? 0);
  }

  /** Whether the stream has ended. */
  isClosed(): boolean {
    return this.phase === "closed";
  }

  /** Ends the stream (client resumes from its last RV). */
  close(): void {
    if (this.phase === "closed") return;
    this.phase = "closed";
    if (this.timer) clearTimeout(this.timer);
    try {
      this.controller.close();
    } catch {
      // already closed or errored by the client going away
    }
    this.onClose(this);
  }

  /** Ends the stream with one ERROR 410 event (the client relists). */
  private expire(): void {
    const line = encodeExpired(this.position, this.source.compactedRv() + 1);
    // Enqueueing may call pull() synchronously: be closed before it does.
    this.phase = "closed";
    this.controller.enqueue(encoder.encode(`${line}\n`));
    this.phase = "catchup";
    this.close();
  }

  private emit(line: string): void {
    this.push(encoder.encode(`${line}\n`));
  }


  private push(bytes: Uint8Array): void {
    this.pushed += bytes.byteLength;
    this.controller.enqueue(bytes);
    this.lastSentAt = Date.now();
  }

  private deliver(ev: StoredEvent): void {
    this.position = ev.rv;
    const out = eventFor(ev, this.filter);
    if (!out) return;
    this.emit(encodeEvent(this.req.resource, out.type, out.body, this.req.format, this.sentEvents++ === 0));
  }


  /** Reads history while the client has room; switches to live once caught up. */
  private fill(): void {
    // enqueue() may call pull() synchronously; a nested fill would reorder events.
    if (this.filling) return;
    this.filling = true;
    try {
      while (this.phase !== "live" && this.phase !== "closed" && (this.controller.desiredSize ?? 0) > 0) {
        if (this.phase === "initial") this.fillInitial();
        else this.fillCatchup();
      }
    } finally {
      this.filling = false;
    }
  }

  private fillInitial(): void {
    const rows = this.source.readSnapshot(this.snapshotRv, this.afterKey, BATCH, this.req.namespace);
    for (const row of rows) {
      this.afterKey = row.key;
      const out = eventFor({ rv: this.snapshotRv, type: "ADDED", body: row.body, prev: null }, this.filter);
      if (out) this.emit(encodeEvent(this.req.resource, "ADDED", out.body, this.req.format, this.sentEvents++ === 0));
    }
    if (rows.length < BATCH) {
      this.phase = "catchup";
      if (this.req.initialEventsEndBookmark) {
        this.emit(encodeBookmark(this.req.resource, this.snapshotRv, true));
      }
    }
  }

  private fillCatchup(): void {
    if (this.position < this.source.compactedRv()) {
      this.expire();
      return;
    }
    const events = this.source.readEvents(this.position, BATCH);
    for (const ev of events) this.deliver(ev);
    if (events.length < BATCH) this.phase = "live";
  }
}
