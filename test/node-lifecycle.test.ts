/**
 * Node lifecycle and VMI termination in workerd, queue-driven: a host that
 * stops posting heartbeats is marked Unknown and its workloads NotReady,
 * and past the eviction timeout its pods are deleted and its VMIs fail, so
 * their owners replace them; a deleting VMI held by the host finalizer is
 * let go when unbound or final, and forced once its grace period ends.
 * Heartbeats are written in the past instead of waiting for them to age.
 * The test nodes report room for no pods, so the scheduler never places
 * anything on them: every binding here is the test's own.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { reconcileNodeLifecycle } from "../workers/controllers/nodelifecycle/node-lifecycle";
import type { Reconciler } from "../workers/controllers/runtime/reconciler";
import { collectionStub, writeObject } from "../workers/objects/client";
import { api, eventually, namespace, pod } from "./helpers";
import { asNode, joinNode } from "./hosts-helpers";
import { addNode, removeNodes, reportNode } from "./node-helpers";
import { observeSince, reconcilerStats } from "./do-internals";

type Cond = { type: string; status: string; reason?: string; message?: string; lastHeartbeatTime?: string };
type Obj = KubeObject & { spec: { nodeName?: string }; status?: { phase?: string; reason?: string; nodeName?: string; conditions?: Cond[] } };
const MERGE = { "content-type": "application/merge-patch+json" };
const VMIS = "kubevirt.io/virtualmachineinstances";

let nodes: string[] = [];
afterEach(async () => {
  await removeNodes(nodes);
  nodes = [];
});

/** The Reconciler of a node's lifecycle key. */
const lifecycleReconciler = (host: string) =>
  (env.RECONCILERS as DurableObjectNamespace<Reconciler>).getByName(`nodelifecycle//${host}`);

/**
 * A test node. Its lifecycle controller is told it has been observing for
 * two hours, like a long-running control plane, so heartbeats written in the
 * past count as silence it saw.
 */
async function node(name: string, heartbeatAgo: number, labels: Record<string, string> = {}): Promise<void> {
  nodes.push(name);
  await observeSince(lifecycleReconciler(name), Date.now() - 7_200_000);
  await addNode(name, { pods: "0", heartbeatAgo, labels });
}

/**
 * Reconciles `key` as the queue would: again while the answer is the 1 s
 * retry of a status write that lost its race with the same node's
 * reconcile in the background (409 Conflict), at most five times.
 */
async function reconcileSettled(key: Parameters<typeof reconcileNodeLifecycle>[1], options: Parameters<typeof reconcileNodeLifecycle>[2]): Promise<Awaited<ReturnType<typeof reconcileNodeLifecycle>>> {
  let result = await reconcileNodeLifecycle(env, key, options);
  for (let i = 1; i < 5 && result.requeueAfterSeconds === 1; i++) result = await reconcileNodeLifecycle(env, key, options);
  return result;
}

/**
 * A healthy peer: evictions are halted while every node is down (master
 * disruption), so a test that expects one needs a node that is not.
 * `heartbeatAgo` may be negative: a heartbeat at a simulated future `now`.
 */
async function peer(heartbeatAgo = 0): Promise<string> {
  const name = `peer-${crypto.randomUUID().slice(0, 8)}`;
  await node(name, heartbeatAgo);
  return name;
}

const vmiBody = (name: string, extra: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({
  apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name, ...meta },
  spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } }, ...extra },
});

async function get(path: string): Promise<{ status: number; body: Obj }> {
  return api<Obj>("GET", path);
}

const cond = (o: Obj, type: string): Cond | undefined => o.status?.conditions?.find((c) => c.type === type);

/** A VMI created and bound to `host`, reported Running and Ready by the test. */
async function runningVMI(ns: string, name: string, host: string, extra: Record<string, unknown> = {}): Promise<string> {
  await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, vmiBody(name, extra));
  await writeObject(env, { resource: VMIS, namespace: ns, name }, { verb: "bind", node: host });
  const path = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${name}`;
  await api("PATCH", `${path}/status`, { status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } }, MERGE);
  return path;
}

describe("node lifecycle", () => {
  it("marks a silent node Unknown and its pods and VMIs NotReady, phases unchanged", async () => {
    const ns = await namespace();
    const host = `silent-${crypto.randomUUID().slice(0, 8)}`;
    await node(host, 0);
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web", { spec: { nodeName: host, containers: [{ name: "c", image: "x" }] } }));
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/web/status`, { status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } }, MERGE);
    const vmiPath = await runningVMI(ns, "vm", host);
    // The host falls silent: its last heartbeat is now older than the 40 s grace period, not yet 340 s.
    const reported = await reportNode(host, { pods: "0", heartbeatAgo: 60 });
    const beat = cond(reported as Obj, "Ready")?.lastHeartbeatTime;
    await eventually(async () => cond((await get(`/api/v1/nodes/${host}`)).body, "Ready")?.status === "Unknown");
    expect(cond((await get(`/api/v1/nodes/${host}`)).body, "Ready")).toMatchObject({
      reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastHeartbeatTime: beat,
    });
    await eventually(async () => cond((await get(`/api/v1/namespaces/${ns}/pods/web`)).body, "Ready")?.status === "False");
    await eventually(async () => cond((await get(vmiPath)).body, "Ready")?.status === "False");
    expect((await get(`/api/v1/namespaces/${ns}/pods/web`)).body.status?.phase).toBe("Running");
    expect((await get(vmiPath)).body.status?.phase).toBe("Running");

    // The next run is due at the eviction deadline; with a shorter timeout it evicts now.
    await peer();
    const key = { controller: "nodelifecycle" as const, namespace: "", name: host };
    const next = (await reconcileNodeLifecycle(env, key, { opts: { gracePeriodSeconds: 40, evictionTimeoutSeconds: 300 } })).requeueAfterSeconds ?? 0;
    expect(next).toBeGreaterThan(270);
    expect(next).toBeLessThanOrEqual(281);
    await reconcileNodeLifecycle(env, key, { opts: { gracePeriodSeconds: 40, evictionTimeoutSeconds: 10 } });
    await eventually(async () => (await get(`/api/v1/namespaces/${ns}/pods/web`)).status === 404);
    expect((await get(vmiPath)).body.status).toMatchObject({ phase: "Failed", reason: "NodeUnresponsive" });

    // The heartbeat resumes: the controller leaves the fresh Ready alone.
    await reportNode(host, { pods: "0", heartbeatAgo: 0 });
    await reconcileNodeLifecycle(env, key);
    expect(cond((await get(`/api/v1/nodes/${host}`)).body, "Ready")?.status).toBe("True");
  });

  it("counts silence from when the server saw a heartbeat, not from the time the node wrote: a heartbeat a year ahead buys nothing", async () => {
    const creds = await joinNode(`liar-${crypto.randomUUID().slice(0, 8)}`, { cpu: "1", memory: "1Gi", pods: "0" });
    const host = creds.nodeName;
    nodes.push(host);
    const ahead = new Date(Date.now() + 365 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
    const ready = { type: "Ready", status: "True", reason: "KubeletReady", message: "ready", lastHeartbeatTime: ahead, lastTransitionTime: ahead };
    const wrote = await asNode(creds.token, "PATCH", `/api/v1/nodes/${host}/status`, { status: { conditions: [ready] } });
    expect(wrote.status).toBe(200);
    const key = { controller: "nodelifecycle" as const, namespace: "", name: host };
    const opts = { gracePeriodSeconds: 40, evictionTimeoutSeconds: 300 };
    const written = Date.now();
    await reconcileNodeLifecycle(env, key, { opts, now: new Date(written + 30_000) });
    expect(cond((await get(`/api/v1/nodes/${host}`)).body, "Ready")?.status).toBe("True");
    // Silent past the grace period, counted from the write the server saw.
    await reconcileNodeLifecycle(env, key, { opts, now: new Date(written + 45_000) });
    expect(cond((await get(`/api/v1/nodes/${host}`)).body, "Ready")).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", lastHeartbeatTime: ahead });
  });

  it("does not hold silence it did not observe against a node: a restarted controller gives a fresh grace period", async () => {
    const ns = await namespace();
    const host = `back-${crypto.randomUUID().slice(0, 8)}`;
    nodes.push(host);
    // The last heartbeat is an hour old, but the controller (a fresh Reconciler) only just started watching.
    await addNode(host, { pods: "0", heartbeatAgo: 3600 });
    const vmiPath = await runningVMI(ns, "vm", host);
    const key = { controller: "nodelifecycle" as const, namespace: "", name: host };
    const opts = { gracePeriodSeconds: 40, evictionTimeoutSeconds: 10 };
    const started = Date.now();
    await peer(-55);
    const next = (await reconcileNodeLifecycle(env, key, { opts, observingSince: started })).requeueAfterSeconds ?? 0;
    // Nothing happens now; the next look is at the end of the grace period counted from the start.
    expect(next).toBeGreaterThan(35);
    expect(next).toBeLessThanOrEqual(42);
    expect(cond((await get(`/api/v1/nodes/${host}`)).body, "Ready")?.status).toBe("True");
    expect((await get(vmiPath)).body.status?.phase).toBe("Running");
    // The same silence observed for long enough: Unknown past the grace period, eviction past both.
    await reconcileNodeLifecycle(env, key, { opts, observingSince: started, now: new Date(started + 45_000) });
    expect(cond((await get(`/api/v1/nodes/${host}`)).body, "Ready")?.status).toBe("Unknown");
    expect((await get(vmiPath)).body.status?.phase).toBe("Running");
    await reconcileNodeLifecycle(env, key, { opts, observingSince: started, now: new Date(started + 55_000) });
    expect((await get(vmiPath)).body.status).toMatchObject({ phase: "Failed", reason: "NodeUnresponsive" });
  });

  it("halts evictions in a small zone in partial disruption, and evicts once enough of the zone is healthy again", async () => {
    const ns = await namespace();
    const zone = `z-${crypto.randomUUID().slice(0, 8)}`;
    const zoned = async (heartbeatAgo: number): Promise<string> => {
      const name = `${zone}-${crypto.randomUUID().slice(0, 4)}`;
      await node(name, heartbeatAgo, { "topology.kubernetes.io/zone": zone });
      return name;
    };
    // Three of the zone's four nodes are silent (75 %, more than two): upstream stops evicting there.
    const host = await zoned(3600);
    await zoned(3600);
    await zoned(3600);
    await zoned(0);
    const vmiPath = await runningVMI(ns, "vm", host);
    const key = { controller: "nodelifecycle" as const, namespace: "", name: host };
    const opts = { gracePeriodSeconds: 40, evictionTimeoutSeconds: 10 };
    const halted = await reconcileSettled(key, { opts });
    expect(halted.requeueAfterSeconds).toBe(5);
    expect((await get(vmiPath)).body.status?.phase).toBe("Running");
    expect(cond((await get(vmiPath)).body, "Ready")?.status).toBe("False");
    // Two more healthy nodes: three of six silent is 50 %, a normal zone, so this node's workloads go.
    await zoned(0);
    await zoned(0);
    await reconcileNodeLifecycle(env, key, { opts });
    expect((await get(vmiPath)).body.status).toMatchObject({ phase: "Failed", reason: "NodeUnresponsive" });
  });

  it("evicts the workloads of a node silent past the eviction timeout; owners replace them and nothing hangs", async () => {
    const ns = await namespace();
    const host = `dead-${crypto.randomUUID().slice(0, 8)}`;
    await node(host, 0);
    const template = { metadata: { labels: { app: "web" } }, spec: { nodeSelector: { never: "matches" }, containers: [{ name: "c", image: "x" }] } };
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web" }, spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template } });
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancereplicasets`, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceReplicaSet", metadata: { name: "vr" },
      spec: { replicas: 1, selector: { matchLabels: { app: "vr" } }, template: { metadata: { labels: { app: "vr" } }, spec: { nodeSelector: { never: "matches" }, domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } } } },
    });
    const list = async (path: string): Promise<Obj[]> => (await api<{ items: Obj[] }>("GET", path)).body.items;
    const podsPath = `/api/v1/namespaces/${ns}/pods`;
    const vmisPath = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;
    await eventually(async () => (await list(podsPath)).length === 1 && (await list(vmisPath)).length === 1);
    const [first] = await list(podsPath);
    const [firstVMI] = await list(vmisPath);
    const podName = first?.metadata.name ?? "";
    const vmiName = firstVMI?.metadata.name ?? "";
    expect((await api("POST", `${podsPath}/${podName}/binding`, { apiVersion: "v1", kind: "Binding", metadata: { name: podName }, target: { kind: "Node", name: host } })).status).toBe(201);
    await writeObject(env, { resource: VMIS, namespace: ns, name: vmiName }, { verb: "bind", node: host });

    await peer();
    await reportNode(host, { pods: "0", heartbeatAgo: 3600 });
    // The pod is deleted at once and replaced; the VMI fails, the VMIRS deletes it, the host finalizer does not hold it.
    await eventually(async () => {
      const pods = await list(podsPath);
      return pods.length === 1 && pods[0]?.metadata.name !== podName;
    }, 20_000);
    await eventually(async () => (await get(`${vmisPath}/${vmiName}`)).status === 404, 20_000);
    await eventually(async () => (await list(vmisPath)).length === 1, 20_000);
    expect(cond((await get(`/api/v1/nodes/${host}`)).body, "Ready")?.status).toBe("Unknown");
  });
});

describe("deleted nodes", () => {
  it("collects the workloads of a deleted Node: its pods are deleted and its VMIs fail, so their owners replace them", async () => {
    const ns = await namespace();
    const host = `gone-${crypto.randomUUID().slice(0, 8)}`;
    await node(host, 0);
    const podsPath = `/api/v1/namespaces/${ns}/pods`;
    await api("POST", podsPath, pod("web", { spec: { nodeName: host, containers: [{ name: "c", image: "x" }] } }));
    await api("PATCH", `${podsPath}/web/status`, { status: { phase: "Running" } }, MERGE);
    const vmiPath = await runningVMI(ns, "vm", host);
    const elsewhere = `other-${crypto.randomUUID().slice(0, 8)}`;
    await node(elsewhere, 0);
    await api("POST", podsPath, pod("stays", { spec: { nodeName: elsewhere, containers: [{ name: "c", image: "x" }] } }));

    expect((await api("DELETE", `/api/v1/nodes/${host}`)).status).toBe(200);
    await eventually(async () => (await get(`${podsPath}/web`)).status === 404);
    await eventually(async () => (await get(vmiPath)).body.status?.phase === "Failed");
    expect((await get(vmiPath)).body.status?.reason).toBe("NodeUnresponsive");
    expect((await get(`${podsPath}/stays`)).status).toBe(200);
  });
});

describe("VMI termination", () => {
  it("lets go of an unbound VMI (Failed) and of a final bound one", async () => {
    const ns = await namespace();
    const path = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;
    await api("POST", path, vmiBody("pending", {}, { finalizers: ["kubevirt.io/foregroundDeleteVirtualMachine"] }));
    const before = await collectionStub(env, VMIS).resourceVersion();
    await api("DELETE", `${path}/pending`);
    await eventually(async () => (await get(`${path}/pending`)).status === 404);
    // It went Failed (a VMI deleted while Pending), then away.
    const history = (await collectionStub(env, VMIS).readEvents(before, 100))
      .map((e) => ({ type: e.type, obj: JSON.parse(e.body) as Obj }))
      .filter((e) => e.obj.metadata.namespace === ns && e.obj.metadata.name === "pending");
    expect(history.map((e) => `${e.type}:${e.obj.status?.phase ?? ""}`)).toEqual(["MODIFIED:Pending", "MODIFIED:Failed", "DELETED:Failed"]);

    const host = `done-${crypto.randomUUID().slice(0, 8)}`;
    await node(host, 0);
    await runningVMI(ns, "done", host);
    await api("DELETE", `${path}/done`);
    expect((await get(`${path}/done`)).body.metadata.finalizers).toContain("kubevirt.io/foregroundDeleteVirtualMachine");
    await api("PATCH", `${path}/done/status`, { status: { phase: "Succeeded" } }, MERGE);
    await eventually(async () => (await get(`${path}/done`)).status === 404);
  });

  it("forces a running VMI Failed once its grace period ends without the host reporting it stopped", async () => {
    const ns = await namespace();
    const host = `slow-${crypto.randomUUID().slice(0, 8)}`;
    await node(host, 0);
    // Long enough that the first requeue's message stays due more than a second ahead while the runs
    // below happen, however slow a loaded machine makes them (a message due sooner covers nothing).
    const path = await runningVMI(ns, "slow", host, { terminationGracePeriodSeconds: 12 });
    await api("DELETE", path);
    const key = { controller: "vmitermination" as const, namespace: ns, name: "slow" };
    const reconciler = (env.RECONCILERS as DurableObjectNamespace<Reconciler>).getByName(`vmitermination/${ns}/slow`);
    // Waiting: every run asks to be requeued for the same deadline, and the delayed message the first
    // sent covers the later asks — also when they straddle a second boundary and their whole-second
    // delays would be due a second earlier than the first's.
    expect((await reconciler.reconcile(key)).requeueAfterSeconds).toBeGreaterThanOrEqual(1);
    await reconciler.reconcile(key);
    await reconciler.reconcile(key);
    expect((await reconcilerStats(reconciler)).requeues).toBe(1);
    expect((await get(path)).body.status?.phase).toBe("Running");
    await eventually(async () => (await get(path)).status === 404, 25_000);
    const events = await api<{ items: { reason: string }[] }>("GET", `/api/v1/namespaces/${ns}/events?fieldSelector=involvedObject.name%3Dslow`);
    expect(events.body.items.map((e) => e.reason)).toContain("TerminationGracePeriodExpired");
  }, 60_000);
});
