import { describe, expect, it } from "vitest";
import { EventView, type StoredEvent } from "./event-filter";
import { BOOKMARK_INTERVAL_MS, type EventSource, STALL_MS, Watcher } from "./watcher";
import type { WatchRequest } from "./watch-request";

/** An in-memory event log with the same contract as the stores' SQLite logs. */
class MemorySource implements EventSource {
  events: StoredEvent[] = [];
  compacted = 0;
  currentRv(): number {
    return this.events.at(-1)?.rv ?? this.compacted;
  }
  compactedRv(): number {
    return this.compacted;
  }
  readSnapshot(): { key: string; body: string }[] {
    return [];
  }
  readEvents(afterRv: number, limit: number): StoredEvent[] {
    return this.events.filter((e) => e.rv > afterRv).slice(0, limit);
  }
}

const req = (rv: number | undefined): WatchRequest => ({
  resource: "/pods", resourceVersion: rv, sendInitialEvents: rv === undefined, initialEventsEndBookmark: false,
  allowWatchBookmarks: false, format: { kind: "json" },
});

async function drain(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const text = await new Response(stream).text();
  return text.split("\n").filter((l) => l !== "");
}

describe("Watcher", () => {
  it("sends exactly one ERROR 410 for a compacted resourceVersion and ends", async () => {
    const src = new MemorySource();
    src.compacted = 5;
    let closed = 0;
    const w = new Watcher(src, req(2), () => closed++);
    const lines = await drain(w.stream);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ type: "ERROR", object: { code: 410 } });
    expect(closed).toBe(1);
  });

  it("closes a live watcher whose client stops reading, bounding its buffer", async () => {
    const src = new MemorySource();
    let closed = false;
    const w = new Watcher(src, req(0), () => (closed = true));
    // The client reads once (so the stream is being consumed and the watcher goes live), then stalls.
    const firstRead = w.stream.getReader().read();
    const big = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", annotations: { a: "x".repeat(100_000) } } });
    // Nobody reads w.stream: after ~1 MiB of queued events the watcher must give up.
    for (let rv = 1; rv <= 20 && !closed; rv++) {
      const ev: StoredEvent = { rv, type: "MODIFIED", body: big, prev: big };
      src.events.push(ev);
      w.notify(ev, new EventView(ev));
    }
    expect(closed).toBe(true);
    expect(w.isClosed()).toBe(true);
    await firstRead;
  });

  it("sends a BOOKMARK with its position to an idle watcher that allows them, and none to others", async () => {
    const src = new MemorySource();
    src.events.push({ rv: 7, type: "ADDED", body: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","resourceVersion":"7"}}', prev: null });
    const withBookmarks = new Watcher(src, { ...req(5), allowWatchBookmarks: true }, () => {});
    const without = new Watcher(src, req(5), () => {});
    const reader = withBookmarks.stream.getReader();
    const other = without.stream.getReader();
    const first = await reader.read();
    await other.read();
    expect(new TextDecoder().decode(first.value)).toContain('"type":"ADDED"');
    withBookmarks.tick(Date.now() + 1000);
    without.tick(Date.now() + BOOKMARK_INTERVAL_MS);
    withBookmarks.tick(Date.now() + BOOKMARK_INTERVAL_MS);
    const next = await reader.read();
    expect(JSON.parse(new TextDecoder().decode(next.value))).toEqual({
      type: "BOOKMARK", object: { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: "7" } },
    });
    without.close();
    const end = await other.read();
    expect(end.done).toBe(true);
    withBookmarks.close();
  });

  it("closes a stream whose client stopped reading (a disconnect the store was not told about)", async () => {
    const src = new MemorySource();
    const body = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}';
    src.events.push({ rv: 1, type: "ADDED", body, prev: null });
    const stalled = new Watcher(src, req(0), () => {});
    const reading = new Watcher(src, req(0), () => {});
    const r1 = stalled.stream.getReader();
    const r2 = reading.stream.getReader();
    await r1.read();
    await r2.read();
    const ev: StoredEvent = { rv: 2, type: "MODIFIED", body, prev: body };
    src.events.push(ev);
    const view = new EventView(ev);
    stalled.notify(ev, view);
    reading.notify(ev, view);
    await r2.read(); // this client keeps up
    stalled.tick(Date.now());
    const later = Date.now() + STALL_MS + 1;
    stalled.tick(later);
    reading.tick(later);
    expect(stalled.isClosed()).toBe(true);
    expect(reading.isClosed()).toBe(false);
    reading.close();
  });
});
