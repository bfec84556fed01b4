/**
 * Controllers' cached lists (workers/client/list-cache.ts) answer exactly
 * what a fresh list answers — the same objects, resourceVersions and order —
 * through creates, label changes in and out of a selector, deletes, other
 * namespaces' changes, a compacted log and callers that change what they got.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { listAll } from "../workers/client/list-all";
import { cachedListAll, loseTurnForTest, sharedListAll } from "../workers/client/list-cache";
import type { ListRequest } from "../workers/objects/collection-list";
import { collectionStub } from "../workers/objects/client";
import type { CollectionStore } from "../workers/objects/collection-store";
import { api, namespace, pod } from "./helpers";

const MERGE = { "content-type": "application/merge-patch+json" };

function summary(objects: KubeObject[]): string[] {
  return objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}@${o.metadata.resourceVersion} ${JSON.stringify(o.metadata.labels ?? {})}`);
}

async function expectSame(req: ListRequest): Promise<void> {
  const cached = await cachedListAll(env, req);
  const fresh = await listAll(env, req);
  expect(summary(cached)).toEqual(summary(fresh));
  expect(cached).toEqual(fresh);
}

describe("cachedListAll", () => {
  it("answers what a fresh list answers through creates, relabels, deletes and other namespaces' changes", async () => {
    const ns = await namespace();
    const other = await namespace();
    const reqs: ListRequest[] = [
      { resource: "/pods", namespace: ns },
      { resource: "/pods", namespace: ns, labelSelector: "tier=web" },
      { resource: "/pods", namespace: ns, fieldSelector: `metadata.name=b` },
      { resource: "/pods" },
    ];
    for (const req of reqs) await expectSame(req); // fills the entries
    for (const name of ["c", "a", "b"]) {
      expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod(name, {}, { tier: name === "a" ? "db" : "web" }))).status).toBe(201);
    }
    expect((await api("POST", `/api/v1/namespaces/${other}/pods`, pod("a", {}, { tier: "web" }))).status).toBe(201);
    for (const req of reqs) await expectSame(req);
    // Out of the selector, into it, deleted; and a change elsewhere.
    expect((await api("PATCH", `/api/v1/namespaces/${ns}/pods/c`, { metadata: { labels: { tier: "db" } } }, MERGE)).status).toBe(200);
    expect((await api("PATCH", `/api/v1/namespaces/${ns}/pods/a`, { metadata: { labels: { tier: "web" } } }, MERGE)).status).toBe(200);
    expect((await api("DELETE", `/api/v1/namespaces/${ns}/pods/b?gracePeriodSeconds=0`)).status).toBe(200);
    expect((await api("PATCH", `/api/v1/namespaces/${other}/pods/a`, { metadata: { labels: { x: "1" } } }, MERGE)).status).toBe(200);
    for (const req of reqs) await expectSame(req);
    expect(summary(await cachedListAll(env, reqs[1] as ListRequest)).map((s) => s.split("@")[0])).toEqual([`${ns}/a`]);
  });

  it("lists afresh when the log no longer reaches back to the cached resourceVersion", async () => {
    const ns = await namespace();
    const req: ListRequest = { resource: "/pods", namespace: ns };
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("one"))).status).toBe(201);
    await expectSame(req);
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("two"))).status).toBe(201);
    expect((await api("DELETE", `/api/v1/namespaces/${ns}/pods/one?gracePeriodSeconds=0`)).status).toBe(200);
    // The log is compacted up to its newest event, as trimming does once it holds more than its retention.
    const compacted = await runInDurableObject(collectionStub(env, "/pods"), (instance: CollectionStore, state) => {
      state.storage.sql.exec("UPDATE meta SET v = (SELECT v FROM meta WHERE k = 'rv') WHERE k = 'compacted'");
      state.storage.sql.exec("DELETE FROM events WHERE rv <= (SELECT v FROM meta WHERE k = 'compacted')");
      return instance.compactedRv();
    });
    expect(compacted).toBeGreaterThan(Number((await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/two`)).body.metadata.resourceVersion));
    await expectSame(req);
    expect(summary(await cachedListAll(env, req)).map((s) => s.split("@")[0])).toEqual([`${ns}/two`]);
  });

  it("gives each caller its own objects: changing one does not change the next answer", async () => {
    const ns = await namespace();
    const req: ListRequest = { resource: "/pods", namespace: ns };
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("mine", {}, { v: "1" }))).status).toBe(201);
    const first = await cachedListAll(env, req);
    (first[0] as KubeObject).metadata.labels = { v: "changed by a caller" };
    await expectSame(req);
    expect((await cachedListAll(env, req))[0]?.metadata.labels).toEqual({ v: "1" });
  });

  it("shares frozen objects through sharedListAll, parsed again only when they change", async () => {
    const ns = await namespace();
    const req: ListRequest = { resource: "/pods", namespace: ns };
    for (const name of ["a", "b"]) expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod(name, {}, { v: "1" }))).status).toBe(201);
    const first = await sharedListAll(env, req);
    expect(summary([...first])).toEqual(summary(await listAll(env, req)));
    const a = first[0] as KubeObject;
    expect(Object.isFrozen(a.metadata.labels)).toBe(true);
    expect(() => {
      (a.metadata.labels as Record<string, string>).v = "changed by a caller";
    }).toThrow(TypeError);
    expect((await api("PATCH", `/api/v1/namespaces/${ns}/pods/b`, { metadata: { labels: { v: "2" } } }, MERGE)).status).toBe(200);
    const second = await sharedListAll(env, req);
    expect(summary([...second])).toEqual(summary(await listAll(env, req)));
    // The unchanged object is the very same one; the changed one is new.
    expect(second[0]).toBe(a);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1]?.metadata.labels).toEqual({ v: "2" });
    // cachedListAll's answers stay the callers' own.
    expect(Object.isFrozen((await cachedListAll(env, req))[0])).toBe(false);
  });

  it("reads afresh, in its own time, when the catch-up before its own never ends", async () => {
    // A caller cancelled mid catch-up (workerd drops a cancelled request's or a reset object's
    // I/O) leaves a turn that never ends; every later caller of the entry chained on it used to
    // wait for good (the user-tokens e2e test once got no answer in 30 s).
    const ns = await namespace();
    const req: ListRequest = { resource: "/pods", namespace: ns };
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("before"))).status).toBe(201);
    await expectSame(req);
    try {
      expect(loseTurnForTest(req, 200)).toBe(true);
      expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("after"))).status).toBe(201);
      const started = Date.now();
      const answer = await Promise.race([
        cachedListAll(env, req),
        new Promise<"no answer">((resolve) => setTimeout(() => resolve("no answer"), 5_000)),
      ]);
      expect(answer).not.toBe("no answer");
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect(summary(answer as KubeObject[])).toEqual(summary(await listAll(env, req)));
      // The entry read afresh serves the next callers at once.
      await expectSame(req);
    } finally {
      loseTurnForTest({ resource: "/none" });
    }
  });

  it("refuses paging and resourceVersions, which a cached list does not serve", async () => {
    await expect(cachedListAll(env, { resource: "/pods", limit: 5 })).rejects.toThrow(/neither pages/);
  });
});
