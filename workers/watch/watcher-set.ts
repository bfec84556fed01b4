/**
 * @module
 * The watchers of one store: opened on request, notified of every commit in
 * order, ticked for bookmarks, and forgotten when they close.
 */
import { EventView, type StoredEvent } from "./event-filter";
import { type EventSource, Watcher } from "./watcher";
import type { WatchRequest } from "./watch-request";

const TICK_MS = 5000;

/** A store's open watch streams. */
export class WatcherSet {
  private readonly watchers = new Set<Watcher>();
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly source: EventSource) {}

  get size(): number {
    return this.watchers.size;
  }

  /** Opens a watch and returns its stream. */
  open(req: WatchRequest): ReadableStream<Uint8Array> {
    const w = new Watcher(this.source, req, (closed) => this.forget(closed));
    // A watcher may close at once (410); only keep open ones.
    if (!w.isClosed()) this.watchers.add(w);
    this.ticker ??= setInterval(() => this.tick(), TICK_MS);
    return w.stream;
  }

  /** Delivers one committed event to every watcher. */
  notify(ev: StoredEvent): void {
    if (this.watchers.size === 0) return;
    const view = new EventView(ev);
    for (const w of this.watchers) w.notify(ev, view);
  }

  /** Closes every stream (clients resume from their last resourceVersion). */
  closeAll(): void {
    for (const w of [...this.watchers]) w.close();
  }

  private tick(): void {
    const now = Date.now();
    for (const w of this.watchers) w.tick(now);
  }

  private forget(w: Watcher): void {
    this.watchers.delete(w);
    if (this.watchers.size === 0 && this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }
}
