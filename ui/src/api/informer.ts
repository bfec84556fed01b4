/**
 * @module
 * A reflector, as client-go's: list, then watch from the list's
 * resourceVersion over a WebSocket (allowWatchBookmarks), resume from the last
 * resourceVersion seen after a drop, and list again only when the API says
 * that version is gone (410: an ERROR event, or a socket that will not open).
 * No polling: between events nothing is fetched. Views share one informer per
 * collection path.
 */
import { ApiError, type KObj, openSocket, request } from "./client";

interface WatchEvent { type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR"; object: KObj & { code?: number; message?: string } }
interface List { metadata: { resourceVersion?: string; continue?: string }; items: KObj[] }

/** What the dashboard's test hooks read and do (window.__duraplane). */
export const stats = { lists: 0, watches: 0, events: 0 };
const live = new Set<Informer>();
/** Closes every watch socket, as a network drop would; each reconnects after `holdMs`. */
export function dropSockets(holdMs = 0): number {
  let n = 0;
  for (const inf of live) if (inf.drop(holdMs)) n++;
  return n;
}

/** Whether every watch is connected; the shell's indicator listens for "duraplane-sockets" on window. */
export function allConnected(): boolean {
  for (const inf of live) if (!inf.connected && !inf.error) return false;
  return true;
}
const socketsChanged = (): void => void dispatchEvent(new Event("duraplane-sockets"));

const keyOf = (o: KObj): string => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** One collection's objects, kept current. */
export class Informer {
  readonly items = new Map<string, KObj>();
  /** Set once the first list arrived; an error (e.g. 403) is kept for the view to show. */
  synced = false;
  error: ApiError | undefined;
  /** The watch socket is open. */
  connected = false;
  private rv = "";
  private ws: WebSocket | undefined;
  private stopped = false;
  private holdUntil = 0;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();
  private notifyQueued = false;

  constructor(readonly path: string) {}

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  start(): void {
    live.add(this);
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    live.delete(this);
    socketsChanged();
    clearTimeout(this.timer);
    this.ws?.close(1000);
  }

  /** Closes the socket as a drop would; the watch resumes after `holdMs`. */
  drop(holdMs: number): boolean {
    if (!this.ws) return false;
    this.holdUntil = Date.now() + holdMs;
    this.ws.close(4000, "dropped by the dashboard's test hook");
    return true;
  }

  /** Coalesces a burst of events into one render per frame. */
  private notify(): void {
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    requestAnimationFrame(() => {
      this.notifyQueued = false;
      for (const fn of this.listeners) fn();
    });
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const fresh = new Map<string, KObj>();
      let cont = "";
      let rv = "";
      do {
        stats.lists++;
        const page = await request<List>("GET", `${this.path}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`);
        for (const o of page.items) fresh.set(keyOf(o), o);
        cont = page.metadata.continue ?? "";
        if (!rv) rv = page.metadata.resourceVersion ?? "";
      } while (cont);
      this.items.clear();
      for (const [k, v] of fresh) this.items.set(k, v);
      this.rv = rv;
      this.synced = true;
      this.error = undefined;
      this.notify();
      this.watch();
    } catch (err) {
      this.error = err instanceof ApiError ? err : new ApiError(0, { message: String(err) });
      this.synced = true;
      this.notify();
      // Forbidden stays forbidden until the role changes; anything else is retried.
      if (this.error.code !== 403 && this.error.code !== 401) this.later(() => void this.relist());
    }
  }

  private later(fn: () => void): void {
    clearTimeout(this.timer);
    const backoff = Math.min(10_000, 250 * 2 ** Math.min(this.failures, 6));
    this.failures++;
    this.timer = setTimeout(fn, Math.max(backoff, this.holdUntil - Date.now()));
  }

  private watch(): void {
    if (this.stopped) return;
    stats.watches++;
    const ws = openSocket(`${this.path}?watch=true&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(this.rv)}`, ["k8s.io"]);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.failures = 0;
      this.connected = true;
      socketsChanged();
    };
    ws.onmessage = (m) => {
      let ev: WatchEvent;
      try {
        ev = JSON.parse(String(m.data)) as WatchEvent;
      } catch {
        return; // not an event: ignored, as client-go's decoder would fail only that frame
      }
      this.onEvent(ev);
    };
    ws.onclose = () => {
      if (opened) {
        this.connected = false;
        socketsChanged();
      }
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (this.stopped) return;
      // A socket refused at the handshake shows only as a close: after a few, list again (the version may be gone: 410).
      if (!opened && this.failures >= 2) this.later(() => void this.relist());
      else this.later(() => this.watch());
    };
  }

  private onEvent(ev: WatchEvent): void {
    stats.events++;
    if (ev.type === "ERROR") {
      // 410 Gone: the version fell out of the event log; start over from a list.
      this.ws?.close(1000);
      this.ws = undefined;
      this.later(() => void this.relist());
      return;
    }
    const rv = ev.object.metadata.resourceVersion;
    if (rv) this.rv = rv;
    if (ev.type === "BOOKMARK") return;
    if (ev.type === "DELETED") this.items.delete(keyOf(ev.object));
    else this.items.set(keyOf(ev.object), ev.object);
    this.notify();
  }
}

const shared = new Map<string, Informer>();

/** The shared informer for a collection path, started on first use and stopped a while after its last subscriber left. */
export function informerFor(path: string): Informer {
  let inf = shared.get(path);
  if (!inf) {
    inf = new Informer(path);
    shared.set(path, inf);
    inf.start();
  }
  return inf;
}

/** Called when a view unsubscribes: stop informers nobody watched for a minute. */
export function release(path: string): void {
  setTimeout(() => {
    const inf = shared.get(path);
    if (inf && inf.listenerCount === 0) {
      inf.stop();
      shared.delete(path);
    }
  }, 60_000);
}
