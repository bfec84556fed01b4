/**
 * Watch semantics against the real stores: initial events, resume from a
 * resourceVersion, 410 for expired ones, selector transitions, bookmarks,
 * single-object watches and Table events.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { collectionStub } from "../workers/objects/client";
import { api, namespace, pod, readResponse, send, TOKEN, type StatusBody } from "./helpers";
import { pruneNow } from "./do-internals";
import { WatchClient, type WatchEvent } from "./watch-client";

const MERGE = { "content-type": "application/merge-patch+json" };

/** The chunked-HTTP watch client these tests share with the engine's (test/watch-client.ts). */
const Watch = { open: (path: string, headers: Record<string, string> = {}) => WatchClient.open("http", path, headers) };

const summary = (evs: WatchEvent[]): string[] => evs.map((e) => `${e.type}:${e.object.metadata?.name ?? ""}`);

describe("watch", () => {
  it("sends the current state as ADDED for resourceVersion 0, then changes, with strictly increasing RVs", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("a"));
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("b"));
    const w = await Watch.open(`/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=0`);
    expect(w.res.headers.get("content-type")).toBe("application/json");
    expect(summary(await w.take(2))).toEqual(["ADDED:a", "ADDED:b"]);
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/a`, { metadata: { labels: { x: "1" } } }, MERGE);
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("c"));
    await api("DELETE", `/api/v1/namespaces/${ns}/pods/b`);
    const evs = await w.take(3);
    expect(summary(evs)).toEqual(["MODIFIED:a", "ADDED:c", "DELETED:b"]);
    const rvs = evs.map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((x, y) => x - y));
    expect(new Set(rvs).size).toBe(3);
    await w.close();
  });

  it("resumes from a list's resourceVersion with exactly the later changes (list + watch lose nothing)", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("a"));
    const list = await api<{ metadata: { resourceVersion: string } }>("GET", `/api/v1/namespaces/${ns}/pods`);
    // Changes between the list and the watch must arrive, and nothing before them.
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("b"));
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/a`, { metadata: { labels: { x: "1" } } }, MERGE);
    const w = await Watch.open(`/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
    expect(summary(await w.take(2))).toEqual(["ADDED:b", "MODIFIED:a"]);
    await api("DELETE", `/api/v1/namespaces/${ns}/pods/a`);
    expect(summary(await w.take(1))).toEqual(["DELETED:a"]);
    expect(await w.next(300)).toBeUndefined();
    await w.close();
  });

  it("answers a resourceVersion older than the window with one ERROR 410 event", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/events`, { apiVersion: "v1", kind: "Event", metadata: { name: "e0" }, involvedObject: { kind: "Pod", name: "x", namespace: ns }, reason: "R", message: "m" });
    const before = await collectionStub(env, "/events").resourceVersion();
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < 1001; i++) {
      await api("PATCH", `/api/v1/namespaces/${ns}/events/e0`, { message: `m${i}` }, MERGE);
    }
    await pruneNow(collectionStub(env, "/events"), Date.now() + 10 * 60 * 1000);
    const w = await Watch.open(`/api/v1/namespaces/${ns}/events?watch=true&resourceVersion=${before}`);
    expect(w.res.status).toBe(200);
    const ev = await w.next();
    expect(ev?.type).toBe("ERROR");
    expect(ev?.object).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
    expect(ev?.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    const extra = await w.next(300);
    expect(extra, JSON.stringify([ev, extra])).toBeUndefined();
  }, 180_000); // 1,001 sequential writes: a loaded 2-core machine takes over a minute (main times out at 60 s too)

  it("applies label selectors with upstream's transition rule", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("a", {}, { app: "web" }));
    const list = await api<{ metadata: { resourceVersion: string } }>("GET", `/api/v1/namespaces/${ns}/pods`);
    const w = await Watch.open(`/api/v1/namespaces/${ns}/pods?watch=true&labelSelector=app%3Dweb&resourceVersion=${list.body.metadata.resourceVersion}`);
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("other", {}, { app: "db" }));
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/a`, { metadata: { labels: { app: "db" } } }, MERGE);
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/other`, { metadata: { labels: { app: "web" } } }, MERGE);
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/other`, { metadata: { labels: { app: "web", v: "2" } } }, MERGE);
    const evs = await w.take(3);
    expect(summary(evs)).toEqual(["DELETED:a", "ADDED:other", "MODIFIED:other"]);
    expect(evs[0]?.object.metadata.labels).toEqual({ app: "web" });
    expect(Number(evs[0]?.object.metadata.resourceVersion)).toBeGreaterThan(Number(list.body.metadata.resourceVersion));
    await w.close();
  });

  it("serves single-object watches from the object's store, ignoring other objects", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("a"));
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("b"));
    const w = await Watch.open(`/api/v1/namespaces/${ns}/pods?watch=true&fieldSelector=metadata.name%3Da&resourceVersion=0`);
    expect(summary(await w.take(1))).toEqual(["ADDED:a"]);
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/b`, { metadata: { labels: { x: "1" } } }, MERGE);
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/a`, { metadata: { labels: { x: "1" } } }, MERGE);
    await api("DELETE", `/api/v1/namespaces/${ns}/pods/a`);
    expect(summary(await w.take(2))).toEqual(["MODIFIED:a", "DELETED:a"]);
    await w.close();
    // Watching a name that does not exist yet sees its creation.
    const later = await Watch.open(`/api/v1/namespaces/${ns}/pods?watch=true&fieldSelector=metadata.name%3Dnew&resourceVersion=0`);
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("new"));
    expect(summary(await later.take(1))).toEqual(["ADDED:new"]);
    await later.close();
  });

  it("ends watch-list initial events with the initial-events-end BOOKMARK", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("a"));
    const w = await Watch.open(`/api/v1/namespaces/${ns}/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    const [added, bookmark] = await w.take(2);
    expect(added?.type).toBe("ADDED");
    expect(bookmark?.type).toBe("BOOKMARK");
    expect(bookmark?.object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
    expect(bookmark?.object.kind).toBe("Pod");
    await w.close();
    const bad = await api<StatusBody>("GET", `/api/v1/namespaces/${ns}/pods?watch=true&sendInitialEvents=true`);
    expect(bad.status).toBe(422);
  });

  it("renders Table events with column definitions only in the first", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("a"));
    const accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    const w = await Watch.open(`/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=0`, { accept });
    expect(w.res.headers.get("content-type")).toBe("application/json;as=Table;v=v1;g=meta.k8s.io");
    const [first] = await w.take(1);
    expect(first?.object.kind).toBe("Table");
    expect(first?.object.rows?.[0]?.cells.slice(0, 3)).toEqual(["a", "0/1", "Pending"]);
    expect(Array.isArray(first?.object.columnDefinitions)).toBe(true);
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/a`, { metadata: { labels: { x: "1" } } }, MERGE);
    const [second] = await w.take(1);
    expect(second?.object.columnDefinitions).toBeNull();
    await w.close();
  });

  it("closes at timeoutSeconds and rejects bad watch parameters", async () => {
    const ns = await namespace();
    const w = await Watch.open(`/api/v1/namespaces/${ns}/pods?watch=true&timeoutSeconds=1&resourceVersion=0`);
    const t = Date.now();
    expect(await w.next(3000)).toBeUndefined();
    expect(Date.now() - t).toBeLessThan(2900);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods?watch=true&labelSelector=a%20in%20(`)).status).toBe(400);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=abc`)).status).toBe(400);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods?watch=true&timeoutSeconds=x`)).status).toBe(400);
  });

  it("serves the WebSocket form, one event per text frame, from a hibernatable socket", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("a"));
    const res = await send(new Request(`https://duraplane.test/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=0`, {
      headers: { authorization: `Bearer ${TOKEN}`, upgrade: "websocket" },
    }));
    expect(res.status).toBe(101);
    const ws = res.webSocket;
    if (!ws) throw new Error("no websocket");
    const frames: WatchEvent[] = [];
    ws.addEventListener("message", (m) => frames.push(JSON.parse(String(m.data)) as WatchEvent));
    ws.accept();
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/a`, { metadata: { labels: { x: "1" } } }, MERGE);
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("b"));
    const deadline = Date.now() + 3000;
    while (frames.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(summary(frames)).toEqual(["ADDED:a", "MODIFIED:a", "ADDED:b"]);
    ws.close(1000, "done");

    // A single-object socket watch is served by the object's store.
    const one = await send(new Request(`https://duraplane.test/api/v1/namespaces/${ns}/pods?watch=true&fieldSelector=metadata.name%3Db&resourceVersion=0`, {
      headers: { authorization: `Bearer ${TOKEN}`, upgrade: "websocket" },
    }));
    const ws2 = one.webSocket;
    if (!ws2) throw new Error("no websocket");
    const got: WatchEvent[] = [];
    ws2.addEventListener("message", (m) => got.push(JSON.parse(String(m.data)) as WatchEvent));
    ws2.accept();
    await api("DELETE", `/api/v1/namespaces/${ns}/pods/b`);
    const until2 = Date.now() + 3000;
    while (got.length < 2 && Date.now() < until2) await new Promise((r) => setTimeout(r, 20));
    expect(summary(got)).toEqual(["ADDED:b", "DELETED:b"]);
    ws2.close(1000, "done");
  });

  it("takes a browser's token from the base64url.bearer.authorization.k8s.io subprotocol and echoes the other one", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("a"));
    const b64url = (text: string): string => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const bearer = `base64url.bearer.authorization.k8s.io.${b64url(TOKEN)}`;
    const upgrade = (protocols: string) => send(new Request(`https://duraplane.test/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=0`, {
      headers: { upgrade: "websocket", "sec-websocket-protocol": protocols },
    }));
    const res = await upgrade(`${bearer}, k8s.io`);
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-protocol")).toBe("k8s.io");
    const ws = res.webSocket;
    if (!ws) throw new Error("no websocket");
    const frames: WatchEvent[] = [];
    ws.addEventListener("message", (m) => frames.push(JSON.parse(String(m.data)) as WatchEvent));
    ws.accept();
    const deadline = Date.now() + 3000;
    while (frames.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(summary(frames)).toEqual(["ADDED:a"]);
    ws.close(1000, "done");

    // What upstream refuses, with its messages.
    const refusals: [string, string][] = [
      [bearer, "missing additional subprotocol"],
      [`${bearer}, ${bearer}, k8s.io`, "multiple base64.bearer.authorization tokens specified"],
      ["base64url.bearer.authorization.k8s.io.not+base64, k8s.io", "invalid base64.bearer.authorization token encoding"],
      [`base64url.bearer.authorization.k8s.io.${b64url("wrong-token")}, k8s.io`, "Unauthorized"],
    ];
    for (const [protocols, message] of refusals) {
      const refused = await readResponse<{ code: number; message: string }>(await upgrade(protocols));
      expect(refused.status, protocols).toBe(401);
      expect(refused.body.message).toBe(message);
    }
  });
});
