/**
 * The garbage collector in workerd, with the real stores and queue: an
 * owner's DELETE cascades to its dependents by propagationPolicy.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import worker from "../workers/index";
import { describe, expect, it } from "vitest";
import type { KubeObject, OwnerReference } from "../shared/k8s/object";
import { foregroundWaitSeconds, reconcileGarbage } from "../workers/controllers/garbagecollector/garbage-collector";
import { isReconcileKey, keyName, keysForChange, type ReconcileKey } from "../workers/controllers/runtime/keys";
import type { Reconciler } from "../workers/controllers/runtime/reconciler";
import { api, eventually, namespace } from "./helpers";
import { reconcilerStats } from "./do-internals";

type List = { items: KubeObject[] };
const MERGE = { "content-type": "application/merge-patch+json" };
const HOLD = "example.com/hold";

const rs = (name: string, replicas: number) => ({
  apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
});
const vm = (name: string) => ({
  apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name },
  spec: { runStrategy: "Halted", template: { spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } } } },
});
const vmi = (name: string, ownerReferences: OwnerReference[]) => ({
  apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name, ownerReferences },
  spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } },
});
const refTo = (owner: KubeObject, blockOwnerDeletion: boolean, controller = false): OwnerReference => ({
  apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? "", uid: owner.metadata.uid ?? "", controller, blockOwnerDeletion,
});

const rsPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/replicasets/${name}`;
const podPath = (ns: string, name: string) => `/api/v1/namespaces/${ns}/pods/${name}`;
const vmPath = (ns: string, name: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/${name}`;
const vmiPath = (ns: string, name: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${name}`;

async function podNames(ns: string): Promise<string[]> {
  return (await api<List>("GET", `/api/v1/namespaces/${ns}/pods`)).body.items.map((p) => p.metadata.name ?? "").sort();
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A ReplicaSet that has settled with `replicas` pods; returns it and its pods' names. */
async function settledReplicaSet(ns: string, name: string, replicas: number): Promise<{ owner: KubeObject; pods: string[] }> {
  await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs(name, replicas));
  await eventually(async () => {
    const got = await api<KubeObject & { status?: { replicas?: number } }>("GET", rsPath(ns, name));
    return got.body.status?.replicas === replicas && (await podNames(ns)).length === replicas;
  });
  return { owner: (await api<KubeObject>("GET", rsPath(ns, name))).body, pods: await podNames(ns) };
}

describe("garbage collector keys", () => {
  const owner: KubeObject = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web", namespace: "ns", uid: "u-rs" } };
  const gc: ReconcileKey = { controller: "garbagecollector", namespace: "ns", name: "web", uid: "u-rs", resource: "apps/replicasets" };
  const deleting = (obj: KubeObject, finalizers: string[]): KubeObject =>
    ({ ...obj, metadata: { ...obj.metadata, deletionTimestamp: "2026-01-01T00:00:00Z", finalizers } });
  const pod: KubeObject = {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: "web-abcde", namespace: "ns", uid: "u-pod", ownerReferences: [refTo(owner, true, true)] },
  };
  const rsKey = { controller: "replicaset", namespace: "ns", name: "web" };

  it.each([
    ["an owner kind's DELETED event", owner, "DELETED", [rsKey, gc]],
    ["an owner kind's resync", owner, undefined, [rsKey]],
    ["a live owner's MODIFIED event", owner, "MODIFIED", [rsKey]],
    ["an owner held by orphan", deleting(owner, ["orphan"]), "MODIFIED", [rsKey, gc]],
    ["an owner held by foregroundDeletion, on resync", deleting(owner, ["foregroundDeletion"]), undefined, [rsKey, gc]],
    ["an owner deleting under another finalizer", deleting(owner, [HOLD]), "MODIFIED", [rsKey]],
    // A pod's going also reaches the disruption controller of its namespace (its budgets' counts).
    ["a pod's DELETED event (pods own nothing here)", pod, "DELETED", [{ controller: "disruption", namespace: "", name: "ns" }, rsKey]],
    ["a pod held by foregroundDeletion", deleting(pod, ["foregroundDeletion"]), "MODIFIED",
      [{ controller: "garbagecollector", namespace: "ns", name: "web-abcde", uid: "u-pod", resource: "/pods" }, rsKey]],
  ] as const)("%s", (_, obj, type, want) => {
    expect(keysForChange(obj, null, type)).toEqual(want);
  });

  it("names a garbage collector key by resource, namespace, name and uid, and checks its fields", () => {
    expect(keyName(gc)).toBe("garbagecollector/apps/replicasets/ns/web/u-rs");
    expect(keyName({ controller: "replicaset", namespace: "ns", name: "web" })).toBe("replicaset/ns/web");
    expect(isReconcileKey(gc)).toBe(true);
    expect(isReconcileKey({ ...gc, uid: undefined })).toBe(false);
    expect(isReconcileKey({ ...gc, uid: "" })).toBe(false);
    expect(isReconcileKey({ ...gc, resource: undefined })).toBe(false);
    expect(isReconcileKey({ ...gc, name: "" })).toBe(false);
  });

  it("waits for the earliest grace period to end, and polls when finalizers hold the dependents", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const at = (s: number): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { deletionTimestamp: new Date(now + s * 1000).toISOString() } });
    expect(foregroundWaitSeconds([at(10), at(3)], now)).toBe(4);
    expect(foregroundWaitSeconds([at(120)], now)).toBe(30);
    expect(foregroundWaitSeconds([at(-5)], now)).toBe(5);
    expect(foregroundWaitSeconds([{ apiVersion: "v1", kind: "Pod", metadata: {} }], now)).toBe(5);
  });
});

describe("garbage collector", () => {
  it("Background: the ReplicaSet goes at once and its pods follow", async () => {
    const ns = await namespace();
    const { pods } = await settledReplicaSet(ns, "bg", 3);
    const del = await api("DELETE", `${rsPath(ns, "bg")}?propagationPolicy=Background`);
    expect(del.status).toBe(200);
    expect((await api("GET", rsPath(ns, "bg"))).status).toBe(404);
    await eventually(async () => (await podNames(ns)).length === 0);
    for (const p of pods) expect((await api("GET", podPath(ns, p))).status).toBe(404);
  });

  it("Foreground: the ReplicaSet stays with its finalizer until its blocking pods are gone", async () => {
    const ns = await namespace();
    const { owner, pods } = await settledReplicaSet(ns, "fg", 2);
    const [held, other] = pods;
    // One pod is held by a finalizer, so its deletion stays in progress.
    await api("PATCH", podPath(ns, held ?? ""), { metadata: { finalizers: [HOLD] } }, MERGE);
    // A non-blocking dependent (no blockOwnerDeletion) that is also held: it must not hold the owner.
    await api("POST", `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: "v1", kind: "Pod", metadata: { name: "loose", labels: { app: "other" }, finalizers: [HOLD], ownerReferences: [refTo(owner, false)] },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    });

    const del = await api<KubeObject>("DELETE", `${rsPath(ns, "fg")}?propagationPolicy=Foreground`);
    expect(del.status).toBe(200);
    expect(del.body.metadata.finalizers).toEqual(["foregroundDeletion"]);
    await eventually(async () => (await api("GET", podPath(ns, other ?? ""))).status === 404);
    await eventually(async () => (await api<KubeObject>("GET", podPath(ns, held ?? ""))).body.metadata.deletionTimestamp !== undefined);
    await eventually(async () => (await api<KubeObject>("GET", podPath(ns, "loose"))).body.metadata.deletionTimestamp !== undefined);
    await sleep(1500);
    const waiting = await api<KubeObject>("GET", rsPath(ns, "fg"));
    expect(waiting.status).toBe(200);
    expect(waiting.body.metadata.finalizers).toEqual(["foregroundDeletion"]);
    // The deleting ReplicaSet does not replace the pods the collector deleted.
    expect(await podNames(ns)).toEqual([held, "loose"].sort());

    await api("PATCH", podPath(ns, held ?? ""), { metadata: { finalizers: null } }, MERGE);
    await eventually(async () => (await api("GET", podPath(ns, held ?? ""))).status === 404);
    await eventually(async () => (await api("GET", rsPath(ns, "fg"))).status === 404, 15_000);
    // The non-blocking dependent is still held by its own finalizer; the owner did not wait for it.
    expect((await api("GET", podPath(ns, "loose"))).status).toBe(200);
    await api("PATCH", podPath(ns, "loose"), { metadata: { finalizers: null } }, MERGE);
    await eventually(async () => (await podNames(ns)).length === 0);
  });

  it("Orphan: the pods stay without the owner reference and the ReplicaSet goes", async () => {
    const ns = await namespace();
    const { pods } = await settledReplicaSet(ns, "or", 2);
    const del = await api<KubeObject>("DELETE", `${rsPath(ns, "or")}?propagationPolicy=Orphan`);
    expect(del.status).toBe(200);
    expect(del.body.metadata.finalizers).toEqual(["orphan"]);
    await eventually(async () => (await api("GET", rsPath(ns, "or"))).status === 404);
    // The owner's DELETED event runs a background pass too; it must find nothing to collect.
    await sleep(1000);
    expect(await podNames(ns)).toEqual(pods);
    for (const p of pods) {
      const got = await api<KubeObject>("GET", podPath(ns, p));
      expect(got.body.metadata.ownerReferences).toBeUndefined();
      expect(got.body.metadata.deletionTimestamp).toBeUndefined();
    }
  });

  it("Background: a VirtualMachine's VMIs go, and a VMI with another live owner only loses the reference", async () => {
    const ns = await namespace();
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, vm("owner"));
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, vm("keeper"));
    const owner = (await api<KubeObject>("GET", vmPath(ns, "owner"))).body;
    const keeper = (await api<KubeObject>("GET", vmPath(ns, "keeper"))).body;
    expect((await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, vmi("child", [refTo(owner, true, true)]))).status).toBe(201);
    expect((await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, vmi("shared", [refTo(owner, true), refTo(keeper, false)]))).status).toBe(201);

    expect((await api("DELETE", `${vmPath(ns, "owner")}?propagationPolicy=Background`)).status).toBe(200);
    await eventually(async () => (await api("GET", vmPath(ns, "owner"))).status === 404);
    await eventually(async () => (await api("GET", vmiPath(ns, "child"))).status === 404);
    await eventually(async () => (await api<KubeObject>("GET", vmiPath(ns, "shared"))).body.metadata.ownerReferences?.length === 1);
    const shared = (await api<KubeObject>("GET", vmiPath(ns, "shared"))).body;
    expect(shared.metadata.ownerReferences).toEqual([refTo(keeper, false)]);
    expect(shared.metadata.deletionTimestamp).toBeUndefined();
    expect((await api("GET", vmPath(ns, "keeper"))).status).toBe(200);
  });

  it("is idempotent: the same key twice in a batch, concurrently, and again after the work is done", async () => {
    const ns = await namespace();
    const { owner } = await settledReplicaSet(ns, "idem", 3);
    // The DELETE enqueues the key itself; deliver it by hand as well, twice in a batch and twice directly.
    await api("DELETE", `${rsPath(ns, "idem")}?propagationPolicy=Background`);
    const key: ReconcileKey = { controller: "garbagecollector", namespace: ns, name: "idem", uid: owner.metadata.uid ?? "", resource: "apps/replicasets" };
    const stub = (env.RECONCILERS as DurableObjectNamespace<Reconciler>).getByName(keyName(key));
    const batch = createMessageBatch("duraplane-reconcile", [
      { id: "g1", timestamp: new Date(), attempts: 1, body: key },
      { id: "g2", timestamp: new Date(), attempts: 1, body: key },
    ]);
    const ctx = createExecutionContext();
    await Promise.all([worker.queue(batch, env, ctx), stub.reconcile(key), stub.reconcile(key)]);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["g1", "g2"]);
    expect(result.retryMessages).toEqual([]);
    expect(await podNames(ns)).toEqual([]);
    expect((await reconcilerStats(stub)).maxRunning).toBe(1);
    // Once more, after everything is gone: nothing to do, nothing thrown.
    expect(await reconcileGarbage(env, key)).toEqual({});
  });

  it("leaves a live owner's dependents alone, and collects a gone owner's even when its name is reused", async () => {
    const ns = await namespace();
    const { owner, pods } = await settledReplicaSet(ns, "live", 2);
    // A pod left over from an earlier ReplicaSet of the same name (another uid).
    const older = { ...owner, metadata: { ...owner.metadata, uid: "an-older-uid" } };
    await api("POST", `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: "v1", kind: "Pod", metadata: { name: "stale", labels: { app: "else" }, ownerReferences: [refTo(older, true)] },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    });
    const key: ReconcileKey = { controller: "garbagecollector", namespace: ns, name: "live", uid: owner.metadata.uid ?? "", resource: "apps/replicasets" };
    expect(await reconcileGarbage(env, key)).toEqual({});
    expect(await reconcileGarbage(env, { ...key, resource: "example.com/nothings" })).toEqual({});
    expect(await podNames(ns)).toEqual([...pods, "stale"].sort());
    // The older owner is gone even though its name is taken again: only what it owned goes.
    expect(await reconcileGarbage(env, { ...key, uid: "an-older-uid" })).toEqual({});
    expect(await podNames(ns)).toEqual(pods);
  });
});
