/**
 * The watch engine against the real stores, every scenario over both sinks
 * (chunked HTTP and hibernatable WebSocket): list + watch exactly once in
 * order, 410 for a compacted resourceVersion, the initial-events-end
 * bookmark, the timeout, the watcher caps (429), reaping of a client that
 * went away, and a single-object watch that finishes a pending write first
 * and never delivers an event at or below the requested resourceVersion.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { collectionStub, objectStub } from "../workers/objects/client";
import type { CollectionStore } from "../workers/objects/collection-store";
import { EventLog } from "../workers/watch/event-log";
import { DEFAULT_WATCH_LIMITS } from "../workers/watch/watch-hub";
import { api, namespace, pod, type StatusBody } from "./helpers";
import { injectFault } from "./do-internals";
import { SINKS, summary, WatchClient } from "./watch-client";

const MERGE = { "content-type": "application/merge-patch+json" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type List = { metadata: { resourceVersion: string }; items: KubeObject[] };

async function setPodLimits(perStore: number, perUser: number): Promise<void> {
  await runInDurableObject(collectionStub(env, "/pods"), (store: CollectionStore) => {
    store.watchers.limits.perStore = perStore;
    store.watchers.limits.perUser = perUser;
  });
}

async function podWatchers(): Promise<number> {
  return runInDurableObject(collectionStub(env, "/pods"), (store: CollectionStore) => store.watchers.size);
}

afterEach(async () => {
  await setPodLimits(DEFAULT_WATCH_LIMITS.perStore, DEFAULT_WATCH_LIMITS.perUser);
});

for (const sink of SINKS) {
  describe(`watch engine over ${sink}`, () => {
    it("delivers every change after a list's resourceVersion exactly once, in order", async () => {
      const ns = await namespace();
      await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("a"));
      const list = await api<List>("GET", `/api/v1/namespaces/${ns}/pods`);
      await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("b"));
      const w = await WatchClient.open(sink, `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
      await api("PATCH", `/api/v1/namespaces/${ns}/pods/a`, { metadata: { labels: { x: "1" } } }, MERGE);
      await api("DELETE", `/api/v1/namespaces/${ns}/pods/b`);
      const evs = await w.take(3);
      expect(summary(evs)).toEqual(["ADDED:b", "MODIFIED:a", "DELETED:b"]);
      const rvs = evs.map((e) => Number(e.object.metadata.resourceVersion));
      expect(rvs.every((rv, i) => rv > Number(list.body.metadata.resourceVersion) && (i === 0 || rv > (rvs[i - 1] ?? 0)))).toBe(true);
      expect(await w.next(300)).toBeUndefined();
      await w.close();
    });

    it("answers a resourceVersion the log no longer holds with one ERROR 410 and ends", async () => {
      const ns = await namespace();
      const event = (name: string) => ({
        apiVersion: "v1", kind: "Event", metadata: { name },
        involvedObject: { kind: "Pod", name: "x", namespace: ns }, reason: "R", message: "m",
      });
      const first = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/events`, event("a"));
      expect(first.status).toBe(201);
      await api("POST", `/api/v1/namespaces/${ns}/events`, event("b"));
      await api("POST", `/api/v1/namespaces/${ns}/events`, event("c"));
      // Trim the kind's log to its newest event with the stores' own log component.
      await runInDurableObject(collectionStub(env, "/events"), (_store: CollectionStore, state) => {
        new EventLog(state.storage.sql, { meta: { table: "meta", key: "compacted" }, retainEvents: 1, retainMs: 0, prevs: "stored" }).trim(Date.now() + 1);
      });
      const w = await WatchClient.open(sink, `/api/v1/namespaces/${ns}/events?watch=true&resourceVersion=${first.body.metadata.resourceVersion}`);
      const ev = await w.next();
      expect(ev?.type).toBe("ERROR");
      expect(ev?.object).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
      expect(await w.isEnded()).toBe(true);
      expect(await w.next(100)).toBeUndefined();
      // A list from there is refused the same way.
      const listed = await api<StatusBody>("GET", `/api/v1/namespaces/${ns}/events?resourceVersion=${first.body.metadata.resourceVersion}&resourceVersionMatch=Exact`);
      expect(listed.status).toBe(410);
    });

    it("ends watch-list initial events with the initial-events-end BOOKMARK, then goes live", async () => {
      const ns = await namespace();
      await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("a"));
      const w = await WatchClient.open(sink, `/api/v1/namespaces/${ns}/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
      const [added, bookmark] = await w.take(2);
      expect(added?.type).toBe("ADDED");
      expect(bookmark?.type).toBe("BOOKMARK");
      expect(bookmark?.object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
      await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("b"));
      expect(summary(await w.take(1))).toEqual(["ADDED:b"]);
      await w.close();
    });

    it("ends the watch at timeoutSeconds and delivers nothing after it", async () => {
      const ns = await namespace();
      const w = await WatchClient.open(sink, `/api/v1/namespaces/${ns}/pods?watch=true&timeoutSeconds=1&resourceVersion=0`);
      await sleep(1200);
      await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("late"));
      expect(await w.isEnded(8000)).toBe(true);
      expect(await w.next(100)).toBeUndefined();
    });

    it("refuses watches past the per-user and per-store caps with 429 TooManyRequests", async () => {
      const ns = await namespace();
      const path = `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=0`;
      const open = await podWatchers();
      await setPodLimits(DEFAULT_WATCH_LIMITS.perStore, open + 1);
      const first = await WatchClient.open(sink, path);
      expect(first.status).toBe(sink === "http" ? 200 : 101);
      const refused = await WatchClient.open(sink, path);
      expect(refused.status).toBe(429);
      expect(refused.res.headers.get("retry-after")).toBe("1");
      expect(await refused.res.json()).toMatchObject({ kind: "Status", code: 429, reason: "TooManyRequests" });
      await setPodLimits(open + 1, DEFAULT_WATCH_LIMITS.perUser);
      expect((await WatchClient.open(sink, path)).status).toBe(429);
      await first.close();
    });

    it("forgets a watcher whose client went away, even when no data is pending", async () => {
      const ns = await namespace();
      const before = await podWatchers();
      const w = await WatchClient.open(sink, `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=0`);
      expect(await podWatchers()).toBe(before + 1);
      await w.close();
      const deadline = Date.now() + 3000;
      while ((await podWatchers()) > before && Date.now() < deadline) await sleep(50);
      expect(await podWatchers()).toBe(before);
    });

    it("a single-object watch finishes a pending write first and never delivers an event at or below its resourceVersion", async () => {
      const ns = await namespace();
      await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
      const ref = { resource: "/pods", namespace: ns, name: "web" };
      // A write committed to the collection whose object store crashed before recording it.
      await injectFault(objectStub(env, ref), "afterCommit");
      const failed = await api("PATCH", `/api/v1/namespaces/${ns}/pods/web`, { metadata: { labels: { v: "1" } } }, MERGE);
      expect(failed.status).toBe(504);
      const list = await api<List>("GET", `/api/v1/namespaces/${ns}/pods`);
      const listedRv = Number(list.body.metadata.resourceVersion);
      expect(list.body.items[0]?.metadata.labels).toEqual({ v: "1" });
      const w = await WatchClient.open(sink, `/api/v1/namespaces/${ns}/pods?watch=true&fieldSelector=metadata.name%3Dweb&resourceVersion=${listedRv}`);
      // Anything that finishes the pending write now must not reach this watcher: its list held it.
      expect((await api("GET", `/api/v1/namespaces/${ns}/pods/web`)).status).toBe(200);
      await api("PATCH", `/api/v1/namespaces/${ns}/pods/web`, { metadata: { labels: { v: "2" } } }, MERGE);
      const [ev] = await w.take(1);
      expect(ev?.type).toBe("MODIFIED");
      expect(ev?.object.metadata.labels).toEqual({ v: "2" });
      expect(Number(ev?.object.metadata.resourceVersion)).toBeGreaterThan(listedRv);
      expect(await w.next(300)).toBeUndefined();
      await w.close();
    });
  });
}
