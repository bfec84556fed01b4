/**
 * Client-supplied numbers that feed time arithmetic (issue 8, defect 5):
 * huge grace periods saturate instead of throwing, namespace cleanup backs
 * off and is not starved by one object it cannot delete, and long requeues
 * fit the queue's delay limit instead of failing into the dead-letter queue.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { objectStub, writeObject } from "../workers/objects/client";
import { CLEANUP_BACKOFF_KEY, type CleanupBackoff } from "../workers/objects/namespace-cleanup";
import type { Reconciler } from "../workers/controllers/runtime/reconciler";
import { api, eventually, namespace, pod, type StatusBody } from "./helpers";
import { reconcilerStats } from "./do-internals";
import { addNode, removeNodes } from "./node-helpers";

const HUGE = 9999999999999;
const NEVER = "9999-12-31T23:59:59Z";
const MERGE = { "content-type": "application/merge-patch+json" };

/** A pod bound to `node` (so deletes are graceful) with the given grace period. */
async function boundPod(ns: string, name: string, node: string, grace?: number): Promise<void> {
  const spec = { containers: [{ name: "web", image: "nginx:1.27" }], nodeName: node, ...(grace === undefined ? {} : { terminationGracePeriodSeconds: grace }) };
  const res = await api("POST", `/api/v1/namespaces/${ns}/pods`, pod(name, { spec }));
  expect(res.status).toBe(201);
}

async function getPod(ns: string, name: string) {
  return api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/${name}`);
}

let nodes: string[] = [];
afterEach(async () => {
  await removeNodes(nodes);
  nodes = [];
});

/** A Ready node for pods to be bound to (removed after the test). */
async function freshNode(): Promise<string> {
  const name = `n-${crypto.randomUUID().slice(0, 8)}`;
  nodes.push(name);
  await addNode(name);
  return name;
}

/** Runs `key` on its Reconciler; a delivery of the queue's may be running it, so go round until this call runs it itself. */
async function reconcileNow(key: { controller: "replicaset" | "vmitermination"; namespace: string; name: string }) {
  const reconciler = (env.RECONCILERS as DurableObjectNamespace<Reconciler>).getByName(`${key.controller}/${key.namespace}/${key.name}`);
  let result = await reconciler.reconcile(key);
  // Pause between tries: a loop of bare RPC calls never lets the runtime run timers, and the run in progress may wait on one.
  while (result.coalesced) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    result = await reconciler.reconcile(key);
  }
  return { result, stats: await reconcilerStats(reconciler) };
}

describe("grace periods beyond any date", () => {
  it("a pod with terminationGracePeriodSeconds 9999999999999 is created, deleted with its own grace, then with gracePeriodSeconds=0", async () => {
    const ns = await namespace();
    const node = await freshNode();
    await boundPod(ns, "hostile", node, HUGE);
    const first = await api<KubeObject>("DELETE", `/api/v1/namespaces/${ns}/pods/hostile`);
    expect(first.status).toBe(200);
    expect(first.body.metadata.deletionTimestamp).toBe(NEVER);
    expect(first.body.metadata.deletionGracePeriodSeconds).toBe(HUGE);
    const again = await api<KubeObject>("DELETE", `/api/v1/namespaces/${ns}/pods/hostile`);
    expect(again.status).toBe(200);
    expect((await api("DELETE", `/api/v1/namespaces/${ns}/pods/hostile?gracePeriodSeconds=0`)).status).toBe(200);
    expect((await getPod(ns, "hostile")).status).toBe(404);
  });

  it("DELETE with ?gracePeriodSeconds=9999999999999 or the same in DeleteOptions answers 200, not 500", async () => {
    const ns = await namespace();
    const node = await freshNode();
    await boundPod(ns, "q", node);
    await boundPod(ns, "b", node);
    const byQuery = await api<KubeObject>("DELETE", `/api/v1/namespaces/${ns}/pods/q?gracePeriodSeconds=${HUGE}`);
    expect(byQuery.status).toBe(200);
    expect(byQuery.body.metadata.deletionTimestamp).toBe(NEVER);
    const byBody = await api<KubeObject>("DELETE", `/api/v1/namespaces/${ns}/pods/b`, { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: HUGE });
    expect(byBody.status).toBe(200);
    expect(byBody.body.metadata.deletionTimestamp).toBe(NEVER);
    // Both are still deletable at once.
    expect((await api("DELETE", `/api/v1/namespaces/${ns}/pods/q`, { gracePeriodSeconds: 0 })).status).toBe(200);
    expect((await getPod(ns, "q")).status).toBe(404);
  });

  it("a negative gracePeriodSeconds counts as 1 s and a value beyond int64 is a 400, as upstream", async () => {
    const ns = await namespace();
    const node = await freshNode();
    await boundPod(ns, "neg", node);
    const tooBig = await api<StatusBody>("DELETE", `/api/v1/namespaces/${ns}/pods/neg?gracePeriodSeconds=99999999999999999999`);
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toMatchObject({ kind: "Status", code: 400, reason: "BadRequest" });
    const neg = await api<KubeObject>("DELETE", `/api/v1/namespaces/${ns}/pods/neg?gracePeriodSeconds=-5`);
    expect(neg.status).toBe(200);
    expect(neg.body.metadata.deletionGracePeriodSeconds).toBe(1);
  });

  it("a namespace holding such a pod is cleaned up: the pod gets its (saturated) deadline, and goes with gracePeriodSeconds=0", async () => {
    const ns = await namespace();
    const node = await freshNode();
    await boundPod(ns, "hostile", node, HUGE);
    await boundPod(ns, "other", node, 0);
    expect((await api("DELETE", `/api/v1/namespaces/${ns}`)).status).toBe(200);
    await eventually(async () => (await getPod(ns, "hostile")).body.metadata?.deletionTimestamp === NEVER);
    await eventually(async () => (await getPod(ns, "other")).status === 404);
    // The host (here: the test) reports the pod stopped by deleting it at once; the namespace then goes.
    expect((await api("DELETE", `/api/v1/namespaces/${ns}/pods/hostile?gracePeriodSeconds=0`)).status).toBe(200);
    await eventually(async () => (await api("GET", `/api/v1/namespaces/${ns}`)).status === 404, 20_000);
  });
});

describe("namespace cleanup under a failing object", () => {
  it("deletes everything else and retries the failing object with backoff, then finishes", async () => {
    const ns = await namespace();
    // Bound (so the scheduler leaves them alone) with no grace period (so deletes are immediate).
    const node = await freshNode();
    for (const name of ["a-broken", "b", "c"]) await boundPod(ns, name, node, 0);
    // Break the first pod's own store (its list entry stays): every delete of it now fails inside its Durable Object.
    const broken = objectStub(env, { resource: "/pods", namespace: ns, name: "a-broken" });
    const original = await runInDurableObject(broken, (_i, state) => {
      const body = state.storage.sql.exec<{ body: string }>("SELECT body FROM object").one().body;
      state.storage.sql.exec("UPDATE object SET body = ?", "{not json");
      return body;
    });
    expect((await api("DELETE", `/api/v1/namespaces/${ns}`)).status).toBe(200);
    // Not starved: the pods listed after the broken one go.
    await eventually(async () => (await getPod(ns, "b")).status === 404 && (await getPod(ns, "c")).status === 404);
    const nsStore = objectStub(env, { resource: "/namespaces", namespace: "", name: ns });
    const backoff = (): Promise<CleanupBackoff | undefined> =>
      runInDurableObject(nsStore, (_i, state) => state.storage.get<CleanupBackoff>(CLEANUP_BACKOFF_KEY));
    // Backs off: passes 2 s, 4 s, 8 s … apart, so a 6 s window sees at most four failed passes, not thousands.
    await new Promise((r) => setTimeout(r, 6000));
    const after = await backoff();
    expect(after?.failures).toBeGreaterThanOrEqual(1);
    expect(after?.failures).toBeLessThanOrEqual(4);
    expect((await api<KubeObject>("GET", `/api/v1/namespaces/${ns}`)).body.status).toMatchObject({ phase: "Terminating" });
    // Repaired, the object goes on a later pass and the namespace with it.
    await runInDurableObject(broken, (_i, state) => {
      state.storage.sql.exec("UPDATE object SET body = ?", original);
    });
    await eventually(async () => (await api("GET", `/api/v1/namespaces/${ns}`)).status === 404, 25_000);
  }, 45_000);
});

describe("requeues longer than the queue's delay limit", () => {
  it("a ReplicaSet with minReadySeconds 100000 and a ready pod reconciles (requeued within the limit), not into the DLQ", async () => {
    const ns = await namespace();
    const rs = {
      apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "slow" },
      spec: { replicas: 1, minReadySeconds: 100000, selector: { matchLabels: { app: "slow" } },
        template: { metadata: { labels: { app: "slow" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
    };
    expect((await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs)).status).toBe(201);
    // Run the reconcile here rather than wait for the queue's delivery, which a busy suite can hold back.
    await reconcileNow({ controller: "replicaset", namespace: ns, name: "slow" });
    let podName = "";
    await eventually(async () => {
      const list = await api<{ items: KubeObject[] }>("GET", `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dslow`);
      podName = list.body.items[0]?.metadata.name ?? "";
      return podName !== "";
    });
    const now = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(".000Z", "Z");
    const ready = await api("PATCH", `/api/v1/namespaces/${ns}/pods/${podName}/status`, {
      status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: now }] },
    }, MERGE);
    expect(ready.status).toBe(200);
    const { result, stats } = await reconcileNow({ controller: "replicaset", namespace: ns, name: "slow" });
    expect(result.requeueAfterSeconds).toBeGreaterThan(43_200);
    expect(stats.requeues).toBeGreaterThanOrEqual(1);
  });

  it("a deleting VMI with a grace period of 9999999999999 s waits (requeued within the limit) instead of failing", async () => {
    const ns = await namespace();
    const node = await freshNode();
    const vmi = {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: "long" },
      spec: { terminationGracePeriodSeconds: HUGE, domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } },
    };
    const path = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;
    expect((await api("POST", path, vmi)).status).toBe(201);
    await writeObject(env, { resource: "kubevirt.io/virtualmachineinstances", namespace: ns, name: "long" }, { verb: "bind", node });
    await api("PATCH", `${path}/long/status`, { status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } }, MERGE);
    expect((await api("DELETE", `${path}/long`)).status).toBe(200);
    const { result, stats } = await reconcileNow({ controller: "vmitermination", namespace: ns, name: "long" });
    expect(result.requeueAfterSeconds).toBeGreaterThan(43_200);
    expect(stats.requeues).toBeGreaterThanOrEqual(1);
    expect((await api<KubeObject>("GET", `${path}/long`)).body.status).toMatchObject({ phase: "Running" });
  });
});
