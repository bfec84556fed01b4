/**
 * The storage invariants of docs/architecture.md (1, 3, 4, 5), each proven
 * against the real Worker, object stores and collection stores.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { objectStub } from "../workers/objects/client";
import { api, namespace, pod, type StatusBody } from "./helpers";
import { injectFault } from "./do-internals";

type List = { metadata: { resourceVersion: string }; items: KubeObject[] };

describe("invariant 1: order", () => {
  it("gives every committed change of a kind a strictly greater resourceVersion, returned by the write", async () => {
    const ns = await namespace();
    const writes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod(`p${i}`))),
    );
    const rvs = writes.map((w) => {
      expect(w.status).toBe(201);
      return Number(w.body.metadata.resourceVersion);
    });
    expect(new Set(rvs).size).toBe(20);
    const list = await api<List>("GET", `/api/v1/namespaces/${ns}/pods`);
    const listed = new Map(list.body.items.map((p) => [p.metadata.name, p.metadata.resourceVersion]));
    for (const w of writes) expect(listed.get(w.body.metadata.name)).toBe(w.body.metadata.resourceVersion);
    expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(Math.max(...rvs));

    // A later update of one object is later than every earlier write.
    const first = writes[0]?.body as KubeObject;
    const updated = await api<KubeObject>("PATCH", `/api/v1/namespaces/${ns}/pods/${first.metadata.name}`,
      { metadata: { labels: { touched: "yes" } } }, { "content-type": "application/merge-patch+json" });
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Math.max(...rvs));
  });
});

describe("invariant 3: optimistic concurrency", () => {
  it("answers a stale resourceVersion with 409 Conflict and keeps the newer write", async () => {
    const ns = await namespace();
    const created = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
    const stale = created.body;
    const fresh = structuredClone(stale);
    fresh.metadata.labels = { v: "2" };
    expect((await api("PUT", `/api/v1/namespaces/${ns}/pods/web`, fresh)).status).toBe(200);
    stale.metadata.labels = { v: "stale" };
    const res = await api<StatusBody>("PUT", `/api/v1/namespaces/${ns}/pods/web`, stale);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ kind: "Status", reason: "Conflict", code: 409 });
    expect(res.body.message).toBe(
      'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again',
    );
    const now = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/web`);
    expect(now.body.metadata.labels).toEqual({ v: "2" });
  });

  it("answers a create of an existing name with 409 AlreadyExists", async () => {
    const ns = await namespace();
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"))).status).toBe(201);
    const res = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ reason: "AlreadyExists", message: 'pods "web" already exists' });
  });

  it("honours uid and resourceVersion preconditions on delete", async () => {
    const ns = await namespace();
    const created = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
    const wrongUid = await api<StatusBody>("DELETE", `/api/v1/namespaces/${ns}/pods/web`, { preconditions: { uid: "nope" } });
    expect(wrongUid.status).toBe(409);
    expect(wrongUid.body.message).toContain("Precondition failed: UID in precondition: nope");
    const wrongRv = await api<StatusBody>("DELETE", `/api/v1/namespaces/${ns}/pods/web`, { preconditions: { resourceVersion: "1" } });
    expect(wrongRv.status).toBe(409);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/web`)).status).toBe(200);
    const ok = await api("DELETE", `/api/v1/namespaces/${ns}/pods/web`, { preconditions: { uid: created.body.metadata.uid } });
    expect(ok.status).toBe(200);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/web`)).status).toBe(404);
  });
});

describe("invariant 4: spec/status separation and generation", () => {
  it("ignores status on the main resource and everything but status on /status", async () => {
    const ns = await namespace();
    const base = `/apis/apps/v1/namespaces/${ns}/replicasets`;
    const rs = {
      apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs" },
      spec: { replicas: 2, selector: { matchLabels: { app: "x" } },
        template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
      status: { replicas: 99 },
    };
    const created = await api<KubeObject & { status?: { replicas?: number } }>("POST", base, rs);
    expect(created.status).toBe(201);
    expect(created.body.status?.replicas).toBeUndefined();
    expect(created.body.metadata.generation).toBe(1);

    const withStatus = { ...created.body, status: { replicas: 5 } };
    const main = await api<KubeObject & { status?: { replicas?: number } }>("PUT", `${base}/rs`, withStatus);
    expect(main.status).toBe(200);
    expect(main.body.status?.replicas).toBeUndefined();
    expect(main.body.metadata.generation).toBe(1);

    const statusWrite = { ...main.body, spec: { ...(main.body.spec as object), replicas: 7 }, status: { replicas: 2, observedGeneration: 1 } };
    const st = await api<KubeObject & { spec: { replicas: number }; status?: { replicas?: number } }>("PUT", `${base}/rs/status`, statusWrite);
    expect(st.status).toBe(200);
    expect(st.body.spec.replicas).toBe(2);
    expect(st.body.status?.replicas).toBe(2);
    expect(st.body.metadata.generation).toBe(1);

    const spec = await api<KubeObject>("PATCH", `${base}/rs`, { spec: { replicas: 3 } }, { "content-type": "application/merge-patch+json" });
    expect(spec.body.metadata.generation).toBe(2);
    const label = await api<KubeObject>("PATCH", `${base}/rs`, { metadata: { labels: { a: "b" } } }, { "content-type": "application/merge-patch+json" });
    expect(label.body.metadata.generation).toBe(2);
  });

  it("bumps generation when deletion starts", async () => {
    const ns = await namespace();
    const p = pod("held");
    p.metadata.finalizers = ["example.com/hold"];
    await api("POST", `/api/v1/namespaces/${ns}/pods`, p);
    const del = await api<KubeObject>("DELETE", `/api/v1/namespaces/${ns}/pods/held`);
    expect(del.body.metadata.deletionTimestamp).toBeDefined();
    expect(del.body.metadata.generation).toBe(2);
  });
});

describe("invariant 5: crash safety", () => {
  for (const point of ["afterPending", "afterCommit"] as const) {
    it(`a crash ${point} leaves GET and list agreeing once recovered, with exactly one event`, async () => {
      const ns = await namespace();
      const created = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
      const ref = { resource: "/pods", namespace: ns, name: "web" };
      const stub = objectStub(env, ref);
      await injectFault(stub, point);
      const failed = await api<StatusBody>("PATCH", `/api/v1/namespaces/${ns}/pods/web`,
        { metadata: { labels: { crashed: "write" } } }, { "content-type": "application/merge-patch+json" });
      // The write may still apply (its pending row is recovered): 504, as upstream's timeouts answer.
      expect(failed.status).toBe(504);
      expect(failed.body.kind).toBe("Status");

      // Recovery by the alarm alone, without any read touching the object first.
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      const list = await api<List>("GET", `/api/v1/namespaces/${ns}/pods`);
      const listed = list.body.items.find((p) => p.metadata.name === "web");
      const got = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/web`);
      expect(got.body).toEqual(listed);
      expect(got.body.metadata.labels).toEqual({ crashed: "write" });
      expect(Number(got.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.body.metadata.resourceVersion));

      // Exactly one more change was committed: an Exact list at the created RV still sees the old state,
      // and the next write gets the next RV.
      const before = await api<List>("GET", `/api/v1/namespaces/${ns}/pods?resourceVersion=${created.body.metadata.resourceVersion}&resourceVersionMatch=Exact`);
      expect(before.body.items.find((p) => p.metadata.name === "web")?.metadata.labels ?? {}).toEqual({});
      const again = await api<KubeObject>("PATCH", `/api/v1/namespaces/${ns}/pods/web`,
        { metadata: { labels: { crashed: "write", next: "1" } } }, { "content-type": "application/merge-patch+json" });
      expect(again.status).toBe(200);
      expect(Number(again.body.metadata.resourceVersion)).toBeGreaterThan(Number(got.body.metadata.resourceVersion));
    });
  }

  it("a GET finishes a pending create before answering", async () => {
    const ns = await namespace();
    const ref = { resource: "/pods", namespace: ns, name: "web" };
    await injectFault(objectStub(env, ref), "afterPending");
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"))).status).toBe(504);
    const listBefore = await api<List>("GET", `/api/v1/namespaces/${ns}/pods`);
    expect(listBefore.body.items).toHaveLength(0);
    const got = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/web`);
    expect(got.status).toBe(200);
    const listAfter = await api<List>("GET", `/api/v1/namespaces/${ns}/pods`);
    expect(listAfter.body.items).toEqual([got.body]);
  });
});
