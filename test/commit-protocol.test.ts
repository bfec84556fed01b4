/**
 * The commit between an object's store and its kind's collection: the
 * resourceVersion is written into the stored JSON by replacing the pending
 * id's placeholder (the collection never parses a body), a pending row of the
 * older format (no placeholder) still commits, and reconcile keys of a burst
 * of commits are sent once, without duplicates.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { collectionStub, objectStub } from "../workers/objects/client";
import type { CollectionStore } from "../workers/objects/collection-store";
import { plantPendingWrite } from "./do-internals";
import { api, namespace, pod } from "./helpers";

const MERGE = { "content-type": "application/merge-patch+json" };

describe("the resourceVersion placeholder", () => {
  it("replaces only the store's own placeholder: user text that looks like one is kept as written", async () => {
    const ns = await namespace();
    // Whatever a user writes, the placeholder is the write's fresh pending id, which no client can know.
    const lookalike = { resourceVersion: "00000000-0000-4000-8000-000000000000", "x/rv": '"resourceVersion":"1"' };
    const created = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod("look", { metadata: { name: "look", annotations: lookalike } }));
    expect(created.status).toBe(201);
    expect(created.body.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(created.body.metadata.annotations).toEqual(lookalike);
    const patched = await api<KubeObject>("PATCH", `/api/v1/namespaces/${ns}/pods/look`, { metadata: { labels: { v: "2" } } }, MERGE);
    expect(patched.status).toBe(200);
    expect(Number(patched.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.body.metadata.resourceVersion));
    // Lists (the collection's rows) and the object agree, labels included.
    const list = await api<{ items: KubeObject[] }>("GET", `/api/v1/namespaces/${ns}/pods?labelSelector=v%3D2`);
    expect(list.body.items.map((p) => [p.metadata.name, p.metadata.resourceVersion, p.metadata.annotations])).toEqual([
      ["look", patched.body.metadata.resourceVersion, lookalike],
    ]);
  });

  it("a pending row written before placeholders (its old resourceVersion in the body) still commits on recovery", async () => {
    const ns = await namespace();
    const created = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod("old", {}, { v: "1" }));
    expect(created.status).toBe(201);
    const rv = Number(created.body.metadata.resourceVersion);
    const body = { ...created.body, metadata: { ...created.body.metadata, labels: { v: "recovered" } } };
    const stub = objectStub(env, { resource: "/pods", namespace: ns, name: "old" });
    await plantPendingWrite(stub, { id: crypto.randomUUID(), type: "MODIFIED", body: JSON.stringify(body), prevRv: rv });
    const got = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/old`);
    expect(got.status).toBe(200);
    expect(got.body.metadata.labels).toEqual({ v: "recovered" });
    expect(Number(got.body.metadata.resourceVersion)).toBeGreaterThan(rv);
    const list = await api<{ items: KubeObject[] }>("GET", `/api/v1/namespaces/${ns}/pods?labelSelector=v%3Drecovered`);
    expect(list.body.items.map((p) => p.metadata.resourceVersion)).toEqual([got.body.metadata.resourceVersion]);
  });
});

describe("reconcile keys of commits", () => {
  it("are gathered and sent once per window, each key once", async () => {
    const stub = collectionStub(env, "apps/replicasets") as DurableObjectStub<CollectionStore>;
    const sent = await runInDurableObject(stub, async (instance: CollectionStore) => {
      const batches: unknown[][] = [];
      // A recording queue in place of the real one, so the test sees exactly what one window sends.
      const recorder = { sendBatch: async (msgs: { body: unknown }[]) => void batches.push(msgs.map((m) => m.body)) };
      const real = instance["env"];
      instance["env"] = { ...real, RECONCILE_QUEUE: recorder as unknown as Queue };
      try {
        const a = { controller: "scheduler", namespace: "n", name: "pods" };
        const b = { controller: "replicaset", namespace: "n", name: "web" };
        instance["enqueueReconciles"]([a], false);
        instance["enqueueReconciles"]([a, b], false);
        instance["enqueueReconciles"]([{ ...a }], false);
        expect(batches).toEqual([]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        return batches;
      } finally {
        instance["env"] = real;
      }
    });
    expect(sent).toEqual([[{ controller: "scheduler", namespace: "n", name: "pods" }, { controller: "replicaset", namespace: "n", name: "web" }]]);
  });
});
