/**
 * Events are kept in their collection alone (ResourceKind.collectionResident,
 * workers/objects/resident-write.ts): no object store per Event, yet every
 * rule of the object path holds — AlreadyExists, optimistic concurrency,
 * finalizers, dry runs, quota admission, watches of one Event — also under
 * concurrent writes of the same Event.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { objectStub } from "../workers/objects/client";
import { api, namespace, type StatusBody } from "./helpers";
import { createQuota, quota } from "./quota-helpers";
import { WatchClient } from "./watch-client";

const MERGE = { "content-type": "application/merge-patch+json" };

/** An Event about a pod of namespace `ns` (its own namespace, as validation requires). */
function event(ns: string, name: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "v1", kind: "Event", metadata: { name },
    involvedObject: { kind: "Pod", name: "p", namespace: ns },
    reason: "Tested", message: "m", type: "Normal", count: 1,
    ...extra,
  } as KubeObject;
}

const rvOf = (o: KubeObject): number => Number(o.metadata.resourceVersion);

describe("Events kept in their collection", () => {
  it("create, get, update, patch and delete work, with no object store behind the Event", async () => {
    const ns = await namespace();
    const base = `/api/v1/namespaces/${ns}/events`;
    const created = await api<KubeObject>("POST", base, event(ns, "e1"));
    expect(created.status).toBe(201);
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const got = await api<KubeObject>("GET", `${base}/e1`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    // The Event's object store was never written: a read there finds nothing.
    const direct = await objectStub(env, { resource: "/events", namespace: ns, name: "e1" }).get({ resource: "/events", namespace: ns, name: "e1" });
    expect(direct.ok).toBe(false);

    const again = await api<StatusBody>("POST", base, event(ns, "e1"));
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe("AlreadyExists");

    const updated = await api<KubeObject & { count: number }>("PUT", `${base}/e1`, { ...created.body, count: 2 });
    expect(updated.status).toBe(200);
    expect(updated.body.count).toBe(2);
    expect(rvOf(updated.body)).toBeGreaterThan(rvOf(created.body));

    const stale = await api<StatusBody>("PUT", `${base}/e1`, { ...created.body, count: 3 });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe("Conflict");

    const patched = await api<KubeObject & { count: number; message: string }>("PATCH", `${base}/e1`, { message: "n" }, MERGE);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ count: 2, message: "n" });

    const noop = await api<KubeObject>("PATCH", `${base}/e1`, { message: "n" }, MERGE);
    expect(noop.body.metadata.resourceVersion).toBe(patched.body.metadata.resourceVersion);

    const listed = await api<{ items: KubeObject[] }>("GET", base);
    expect(listed.body.items.map((e) => e.metadata.resourceVersion)).toEqual([patched.body.metadata.resourceVersion]);

    expect((await api("DELETE", `${base}/e1`)).status).toBe(200);
    expect((await api("GET", `${base}/e1`)).status).toBe(404);
    expect((await api("DELETE", `${base}/e1`)).status).toBe(404);
  });

  it("of 20 concurrent creates of one name exactly one wins; of 10 concurrent updates from one resourceVersion exactly one", async () => {
    const ns = await namespace();
    const base = `/api/v1/namespaces/${ns}/events`;
    const creates = await Promise.all(Array.from({ length: 20 }, () => api<StatusBody>("POST", base, event(ns, "race"))));
    expect(creates.filter((r) => r.status === 201)).toHaveLength(1);
    expect(creates.filter((r) => r.status === 409 && r.body.reason === "AlreadyExists")).toHaveLength(19);

    const current = (await api<KubeObject>("GET", `${base}/race`)).body;
    const updates = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api<StatusBody>("PUT", `${base}/race`, { ...current, count: i + 2 })),
    );
    expect(updates.filter((r) => r.status === 200)).toHaveLength(1);
    expect(updates.filter((r) => r.status === 409 && r.body.reason === "Conflict")).toHaveLength(9);

    // Patches without a precondition all apply, each with a resourceVersion of its own.
    const patches = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api<KubeObject>("PATCH", `${base}/race`, { message: `m${i}` }, MERGE)),
    );
    expect(patches.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(patches.map((r) => r.body.metadata.resourceVersion)).size).toBe(10);
  });

  it("a watch of one Event sees its changes and its deletion, and nothing of its neighbours", async () => {
    const ns = await namespace();
    const base = `/api/v1/namespaces/${ns}/events`;
    const first = await api<KubeObject>("POST", base, event(ns, "watched"));
    const watch = await WatchClient.open("http", `${base}?watch=true&fieldSelector=metadata.name%3Dwatched&resourceVersion=${first.body.metadata.resourceVersion}`);
    try {
      expect(watch.status).toBe(200);
      await api("POST", base, event(ns, "neighbour"));
      await api("PATCH", `${base}/watched`, { count: 5 }, MERGE);
      await api("DELETE", `${base}/watched`);
      const seen = await watch.take(2);
      expect(seen.map((e) => `${e.type}:${e.object.metadata?.name ?? ""}:${String((e.object as { count?: number }).count)}`))
        .toEqual(["MODIFIED:watched:5", "DELETED:watched:5"]);
    } finally {
      await watch.close();
    }
  });

  it("a finalizer holds a deleted Event until it is removed; a dry run stores nothing", async () => {
    const ns = await namespace();
    const base = `/api/v1/namespaces/${ns}/events`;
    expect((await api("POST", `${base}?dryRun=All`, event(ns, "dry"))).status).toBe(201);
    expect((await api("GET", `${base}/dry`)).status).toBe(404);

    expect((await api("POST", base, event(ns, "held", { metadata: { name: "held", finalizers: ["example.com/hold"] } }))).status).toBe(201);
    const deleting = await api<KubeObject>("DELETE", `${base}/held`);
    expect(deleting.status).toBe(200);
    expect(deleting.body.metadata.deletionTimestamp).toBeDefined();
    expect((await api("GET", `${base}/held`)).status).toBe(200);
    expect((await api("PATCH", `${base}/held`, { metadata: { finalizers: null } }, MERGE)).status).toBe(200);
    expect((await api("GET", `${base}/held`)).status).toBe(404);
  });

  it("quota admission charges Events: count/events of 2 admits two of five concurrent creates", async () => {
    const ns = await namespace();
    await createQuota(ns, quota("ev", { "count/events": "2" }));
    const base = `/api/v1/namespaces/${ns}/events`;
    const creates = await Promise.all(Array.from({ length: 5 }, (_, i) => api<StatusBody>("POST", base, event(ns, `q${i}`))));
    expect(creates.filter((r) => r.status === 201)).toHaveLength(2);
    const refused = creates.filter((r) => r.status === 403);
    expect(refused).toHaveLength(3);
    expect(refused[0]?.body.message).toContain("exceeded quota: ev");
    // A deleted Event gives its room back.
    const winner = creates.findIndex((r) => r.status === 201);
    expect((await api("DELETE", `${base}/q${winner}`)).status).toBe(200);
    expect((await api("POST", base, event(ns, "later"))).status).toBe(201);
  });
});
