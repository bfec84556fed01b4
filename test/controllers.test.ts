/**
 * Controllers end to end inside workerd: collection commits enqueue keys,
 * the queue consumer reconciles them one key at a time, and the world
 * settles at spec.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import worker from "../workers/index";
import { replicaSetController } from "../workers/controllers/replicaset/replicas-controllers";
import { syncReplicas } from "../workers/controllers/replicaset/replicas-sync";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import type { Reconciler } from "../workers/controllers/runtime/reconciler";
import { api, eventually, namespace } from "./helpers";
import { reconcilerStats } from "./do-internals";

type List = { items: (KubeObject & { status?: { phase?: string } })[] };
const MERGE = { "content-type": "application/merge-patch+json" };

const rs = (name: string, replicas: number) => ({
  apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
});
const vmirs = (name: string, replicas: number) => ({
  apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceReplicaSet", metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } } } },
});

async function pods(ns: string, app: string): Promise<List["items"]> {
  return (await api<List>("GET", `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`)).body.items;
}

describe("ReplicaSet controller", () => {
  it("creates pods up to spec.replicas with owner references, scales down and reports status", async () => {
    const ns = await namespace();
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("web", 3));
    await eventually(async () => (await pods(ns, "web")).length === 3);
    const created = await pods(ns, "web");
    for (const p of created) {
      expect(p.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "ReplicaSet", name: "web", controller: true, blockOwnerDeletion: true })]);
    }
    await eventually(async () => {
      const got = await api<KubeObject & { status?: { replicas?: number; observedGeneration?: number } }>("GET", `/apis/apps/v1/namespaces/${ns}/replicasets/web`);
      return got.body.status?.replicas === 3 && got.body.status.observedGeneration === 1;
    });
    await api("PATCH", `/apis/apps/v1/namespaces/${ns}/replicasets/web/scale`, { spec: { replicas: 1 } }, MERGE);
    await eventually(async () => (await pods(ns, "web")).length === 1);
    // A deleted child comes back.
    const [last] = await pods(ns, "web");
    await api("DELETE", `/api/v1/namespaces/${ns}/pods/${last?.metadata.name ?? ""}`);
    await eventually(async () => {
      const now = await pods(ns, "web");
      return now.length === 1 && now[0]?.metadata.name !== last?.metadata.name;
    });
  });

  it("is idempotent: the same key twice, and concurrent deliveries of one key never overlap", async () => {
    const ns = await namespace();
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("idem", 4));
    const key = { controller: "replicaset" as const, namespace: ns, name: "idem" };
    const stub = (env.RECONCILERS as DurableObjectNamespace<Reconciler>).getByName(`replicaset/${ns}/idem`);
    // The same message delivered twice in one batch, plus direct concurrent deliveries.
    const batch = createMessageBatch("duraplane-reconcile", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: key },
      { id: "m2", timestamp: new Date(), attempts: 1, body: key },
    ]);
    const ctx = createExecutionContext();
    await Promise.all([worker.queue(batch, env, ctx), stub.reconcile(key), stub.reconcile(key)]);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["m1", "m2"]);
    expect(result.retryMessages).toEqual([]);
    await eventually(async () => (await pods(ns, "idem")).length >= 4);
    await new Promise((r) => setTimeout(r, 500));
    expect(await pods(ns, "idem")).toHaveLength(4);
    const stats = await reconcilerStats(stub);
    expect(stats.maxRunning).toBe(1);
  });

  it("settles at exactly spec.replicas after a crash between creates and a redelivery", async () => {
    const ns = await namespace();
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("crash", 0));
    await api("PATCH", `/apis/apps/v1/namespaces/${ns}/replicasets/crash`, { spec: { replicas: 7 } }, MERGE);
    // A pass that dies after its third create (the template builder throws, as a crash mid-batch would).
    let made = 0;
    const crashing = {
      ...replicaSetController,
      template: (owner: KubeObject) => {
        if (++made > 3) throw new Error("injected crash after 3 creates");
        return replicaSetController.template(owner);
      },
    };
    const key = { controller: "replicaset" as const, namespace: ns, name: "crash" };
    await expect(syncReplicas(env, crashing, key)).rejects.toThrow();
    // Redelivery (and the queue's own deliveries) finish the job without overshooting.
    await syncReplicas(env, replicaSetController, key);
    await syncReplicas(env, replicaSetController, key);
    await eventually(async () => (await pods(ns, "crash")).length === 7);
    await new Promise((r) => setTimeout(r, 500));
    expect(await pods(ns, "crash")).toHaveLength(7);
  });

  it("adopts matching orphans and releases children that stop matching", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "orphan", labels: { app: "adopt" } }, spec: { containers: [{ name: "c", image: "x" }] } });
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("adopt", 2));
    await eventually(async () => (await pods(ns, "adopt")).length === 2);
    const orphan = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/orphan`);
    expect(orphan.body.metadata.ownerReferences?.[0]).toMatchObject({ kind: "ReplicaSet", name: "adopt", controller: true });
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/orphan`, { metadata: { labels: { app: "gone" } } }, MERGE);
    await eventually(async () => {
      const o = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/orphan`);
      return (o.body.metadata.ownerReferences ?? []).length === 0 && (await pods(ns, "adopt")).length === 2;
    });
  });
});

describe("VMIRS controller", () => {
  it("creates VMIs from the template, replaces finished ones and honours paused", async () => {
    const ns = await namespace();
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancereplicasets`, vmirs("vr", 2));
    const vmis = async (): Promise<List["items"]> =>
      (await api<List>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`)).body.items;
    await eventually(async () => (await vmis()).length === 2);
    const [first] = await vmis();
    expect(first?.metadata.name).toMatch(/^vr[a-z0-9]{5}$/);
    await api("PATCH", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${first?.metadata.name ?? ""}/status`, { status: { phase: "Failed" } }, MERGE);
    await eventually(async () => {
      const now = await vmis();
      return now.length === 2 && !now.some((v) => v.metadata.name === first?.metadata.name);
    });
    await eventually(async () => {
      const got = await api<KubeObject & { status?: { replicas?: number; labelSelector?: string } }>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancereplicasets/vr`);
      return got.body.status?.replicas === 2 && got.body.status.labelSelector === "app=vr";
    });
    await api("PATCH", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancereplicasets/vr`, { spec: { paused: true, replicas: 5 } }, MERGE);
    await eventually(async () => {
      const got = await api<KubeObject & { status?: { conditions?: { type: string }[] } }>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancereplicasets/vr`);
      return (got.body.status?.conditions ?? []).some((c) => c.type === "ReplicaPaused");
    });
    expect(await vmis()).toHaveLength(2);
  });
});
