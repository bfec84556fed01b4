/**
 * The watch state machine, each scenario run over both sinks: the chunked
 * HTTP stream and a WebSocket (a real WebSocketPair in workerd).
 */
import { describe, expect, it } from "vitest";
import { EventView, type StoredEvent } from "./event-filter";
import { HIGH_WATER_MARK, HttpSink } from "./http-sink";
import { SLICE_BYTES, SocketSink } from "./socket-sink";
import { BOOKMARK_INTERVAL_MS, type EventSource, MAX_BACKLOG_BYTES, WatchSession } from "./watch-session";
import { type WatchRequest, watchTimeoutSeconds, MIN_REQUEST_TIMEOUT_SECONDS } from "./watch-request";

/** An in-memory event log with the stores' contract. */
class MemorySource implements EventSource {
  events: StoredEvent[] = [];
  objects: { key: string; body: string }[] = [];
  compacted = 0;
  currentRv(): number {
    return this.events.at(-1)?.rv ?? this.compacted;
  }
  compactedRv(): number {
    return this.compacted;
  }
  readSnapshot(_rv: number, afterKey: string, limit: number): { key: string; body: string }[] {
    return this.objects.filter((o) => o.key > afterKey).slice(0, limit);
  }
  readEvents(afterRv: number, limit: number): StoredEvent[] {
    return this.events.filter((e) => e.rv > afterRv).slice(0, limit);
  }
  add(rv: number, name = "p", pad = ""): StoredEvent {
    const body = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name, resourceVersion: String(rv), annotations: { pad } } });
    const ev: StoredEvent = { rv, type: "MODIFIED", body, prev: body };
    this.events.push(ev);
    return ev;
  }
}

const req = (rv: number | undefined, extra: Partial<WatchRequest> = {}): WatchRequest => ({
  resource: "/pods", resourceVersion: rv, sendInitialEvents: rv === undefined, initialEventsEndBookmark: false,
  allowWatchBookmarks: false, format: { kind: "json" }, ...extra,
});

type Line = { type: string; object: { metadata: { name?: string; resourceVersion?: string; annotations?: Record<string, string> }; code?: number } };

/** A session on one sink with a client that reads what it gets. */
interface Harness {
  session: WatchSession;
  /** Lets the client read for a moment and returns everything received so far. */
  received(): Promise<Line[]>;
  ended(): Promise<boolean>;
}

const settle = () => new Promise((r) => setTimeout(r, 30));

function overHttp(src: EventSource, r: WatchRequest, read = true): Harness {
  const session = new WatchSession(src, r, { timer: true });
  const sink = new HttpSink(session);
  session.start(sink);
  const lines: Line[] = [];
  let done = false;
  let buffer = "";
  const reader = sink.stream.getReader();
  const pump = async (): Promise<void> => {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer += new TextDecoder().decode(chunk.value);
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        lines.push(JSON.parse(buffer.slice(0, nl)) as Line);
        buffer = buffer.slice(nl + 1);
      }
    }
    done = true;
  };
  if (read) void pump();
  return { session, received: async () => (await settle(), lines), ended: async () => (await settle(), done) };
}

function overSocket(src: EventSource, r: WatchRequest): Harness {
  const session = new WatchSession(src, r, {});
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  server.accept();
  const lines: Line[] = [];
  let done = false;
  client.addEventListener("message", (m) => lines.push(JSON.parse(String(m.data)) as Line));
  client.addEventListener("close", () => (done = true));
  client.accept();
  session.start(new SocketSink(server, session));
  return { session, received: async () => (await settle(), lines), ended: async () => (await settle(), done) };
}

const SINKS = { http: overHttp, websocket: overSocket } as const;
const rvs = (lines: Line[]) => lines.map((l) => Number(l.object.metadata.resourceVersion));

for (const [name, open] of Object.entries(SINKS)) {
  describe(`WatchSession over ${name}`, () => {
    it("catches up from the log, then goes live, each event exactly once and in order", async () => {
      const src = new MemorySource();
      for (let rv = 1; rv <= 3; rv++) src.add(rv);
      const h = open(src, req(1));
      expect(rvs(await h.received())).toEqual([2, 3]);
      const again = src.events[2];
      if (again) h.session.notify(again, new EventView(again));
      const next = src.add(4);
      h.session.notify(next, new EventView(next));
      expect(rvs(await h.received())).toEqual([2, 3, 4]);
      h.session.close();
    });

    it("never delivers an event at or below its resourceVersion", async () => {
      const src = new MemorySource();
      const h = open(src, req(5));
      for (const rv of [4, 5, 6]) {
        const ev = src.add(rv);
        h.session.notify(ev, new EventView(ev));
      }
      expect(rvs(await h.received())).toEqual([6]);
      h.session.close();
    });

    it("answers a compacted resourceVersion with one ERROR 410 and ends", async () => {
      const src = new MemorySource();
      src.compacted = 5;
      src.add(6);
      const h = open(src, req(2));
      const lines = await h.received();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ type: "ERROR", object: { code: 410 } });
      expect(await h.ended()).toBe(true);
    });

    it("sends initial events, the initial-events-end bookmark, and a bookmark when idle", async () => {
      const src = new MemorySource();
      src.add(3);
      src.objects = [{ key: "ns/a", body: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","resourceVersion":"3"}}' }];
      const h = open(src, req(undefined, { allowWatchBookmarks: true, initialEventsEndBookmark: true }));
      h.session.tick(Date.now() + BOOKMARK_INTERVAL_MS);
      const lines = await h.received();
      expect(lines.map((l) => l.type)).toEqual(["ADDED", "BOOKMARK", "BOOKMARK"]);
      expect(lines[1]?.object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
      expect(lines[2]?.object.metadata).toEqual({ resourceVersion: "3" });
      h.session.close();
    });

    it("ends at its deadline and delivers nothing after it", async () => {
      const src = new MemorySource();
      const h = open(src, req(0, { timeoutSeconds: 1 }));
      await new Promise((r) => setTimeout(r, 1050));
      const ev = src.add(1);
      h.session.notify(ev, new EventView(ev));
      h.session.tick(Date.now());
      expect(h.session.isClosed()).toBe(true);
      expect(await h.received()).toEqual([]);
      expect(await h.ended()).toBe(true);
    });

    it("reads history in bounded slices, never as one burst, and still delivers all of it in order", async () => {
      const src = new MemorySource();
      const pad = "x".repeat(1000);
      for (let rv = 1; rv <= 400; rv++) src.add(rv, "p", pad);
      const h = open(src, req(0));
      // Right after opening, at most a window of history was read (the rest waits for the client or the next turn).
      expect(h.session.isLive()).toBe(false);
      const deadline = Date.now() + 3000;
      let lines = await h.received();
      while (lines.length < 400 && Date.now() < deadline) lines = await h.received();
      expect(rvs(lines)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
      expect(h.session.isLive()).toBe(true);
      h.session.close();
    });
  });
}

describe("WatchSession backlog", () => {
  it("an HTTP client that does not read holds at most one window of history", () => {
    const src = new MemorySource();
    const pad = "x".repeat(1000);
    for (let rv = 1; rv <= 400; rv++) src.add(rv, "p", pad);
    const session = new WatchSession(src, req(0), {});
    const sink = new HttpSink(session);
    session.start(sink);
    expect(sink.backlog()).toBeLessThan(HIGH_WATER_MARK + 100 * 1200);
    expect(SLICE_BYTES).toBe(HIGH_WATER_MARK);
    session.close();
  });

  it("closes a live HTTP watcher that falls more than MAX_BACKLOG_BYTES behind", () => {
    const src = new MemorySource();
    let reason = "";
    const session = new WatchSession(src, req(0), { onClose: (r) => (reason = r) });
    session.start(new HttpSink(session));
    const pad = "x".repeat(100_000);
    for (let rv = 1; rv <= 20 && !session.isClosed(); rv++) {
      const ev = src.add(rv, "p", pad);
      session.notify(ev, new EventView(ev));
    }
    expect(session.isClosed()).toBe(true);
    expect(reason).toBe("slow");
    expect(MAX_BACKLOG_BYTES).toBe(1024 * 1024);
  });
});

describe("watch timeout", () => {
  it("uses the client's timeoutSeconds up to the randomised 1800–3600 s cap, and the cap when unset or 0", () => {
    expect(watchTimeoutSeconds(60, 0.5)).toBe(60);
    expect(watchTimeoutSeconds(999_999_999, 0)).toBe(MIN_REQUEST_TIMEOUT_SECONDS);
    expect(watchTimeoutSeconds(999_999_999, 0.999)).toBeLessThan(2 * MIN_REQUEST_TIMEOUT_SECONDS);
    expect(watchTimeoutSeconds(undefined, 0.25)).toBe(MIN_REQUEST_TIMEOUT_SECONDS * 1.25);
    expect(watchTimeoutSeconds(0, 0)).toBe(MIN_REQUEST_TIMEOUT_SECONDS);
  });
});
