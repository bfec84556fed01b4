/**
 * The scheduler in workerd, driven by the queue as in production: Nodes
 * reported as hosts would, pods and VMIs created through the API, placements
 * and Unschedulable conditions checked on the stored objects. Each test
 * labels its nodes with its own `suite` label and selects them, and removes
 * them afterwards, because Nodes are cluster-scoped and shared by the file.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { reconcileScheduler, RETRY_UNSCHEDULABLE_SECONDS } from "../workers/controllers/scheduler/scheduler";
import { api, eventually, namespace } from "./helpers";
import { addNode, removeNodes } from "./node-helpers";

type Cond = { type: string; status: string; reason?: string; message?: string };
type Pod = KubeObject & { spec: { nodeName?: string }; status: { phase?: string; conditions?: Cond[] } };
type VMI = KubeObject & { status: { phase?: string; nodeName?: string; conditions?: Cond[] } };
type Event = { reason: string; message: string; type: string; involvedObject: { name: string } };

let nodes: string[] = [];
afterEach(async () => {
  await removeNodes(nodes);
  nodes = [];
});

async function node(name: string, o: Parameters<typeof addNode>[1]): Promise<void> {
  nodes.push(name);
  await addNode(name, o);
}

function suite(): string {
  return crypto.randomUUID().slice(0, 8);
}

const podWith = (name: string, id: string, requests: Record<string, string>) => ({
  apiVersion: "v1", kind: "Pod", metadata: { name },
  spec: { nodeSelector: { suite: id }, containers: [{ name: "c", image: "x", resources: { requests } }] },
});

async function getPod(ns: string, name: string): Promise<Pod> {
  return (await api<Pod>("GET", `/api/v1/namespaces/${ns}/pods/${name}`)).body;
}

async function events(ns: string, name: string): Promise<Event[]> {
  return (await api<{ items: Event[] }>("GET", `/api/v1/namespaces/${ns}/events?fieldSelector=involvedObject.name%3D${name}`)).body.items;
}

const podScheduled = (obj: { status: { conditions?: Cond[] } }): Cond | undefined => obj.status.conditions?.find((c) => c.type === "PodScheduled");

describe("scheduler", () => {
  it("binds pods and VMIs to fitting nodes, spreading them, and records Scheduled events", async () => {
    const id = suite();
    const ns = await namespace();
    await node(`a-${id}`, { labels: { suite: id }, cpu: "2", memory: "4Gi" });
    await node(`b-${id}`, { labels: { suite: id }, cpu: "2", memory: "4Gi" });
    for (const n of ["p1", "p2", "p3"]) await api("POST", `/api/v1/namespaces/${ns}/pods`, podWith(n, id, { cpu: "1", memory: "1Gi" }));
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: "vm" },
      spec: { nodeSelector: { suite: id }, domain: { devices: {}, resources: { requests: { cpu: "1", memory: "1Gi" } } } },
    });
    await eventually(async () => {
      const all = await Promise.all(["p1", "p2", "p3"].map((n) => getPod(ns, n)));
      return all.every((p) => p.spec.nodeName);
    });
    const vmiPath = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/vm`;
    await eventually(async () => (await api<VMI>("GET", vmiPath)).body.status.phase === "Scheduled");
    const placed = await Promise.all(["p1", "p2", "p3"].map(async (n) => (await getPod(ns, n)).spec.nodeName));
    const vmi = (await api<VMI>("GET", vmiPath)).body;
    // 2 cpus per node, 1 per object: two on each node.
    const perNode = [...placed, vmi.status.nodeName].reduce<Record<string, number>>((m, n) => ({ ...m, [n ?? ""]: (m[n ?? ""] ?? 0) + 1 }), {});
    expect(perNode).toEqual({ [`a-${id}`]: 2, [`b-${id}`]: 2 });
    expect(vmi.metadata.labels?.["kubevirt.io/nodeName"]).toBe(vmi.status.nodeName);
    expect(podScheduled(vmi)?.status).toBe("True");
    await eventually(async () => (await events(ns, "p1")).some((e) => e.reason === "Scheduled"));
    expect((await events(ns, "p1")).find((e) => e.reason === "Scheduled")?.message).toBe(`Successfully assigned ${ns}/p1 to ${placed[0] ?? ""}`);
  });

  it("marks what does not fit Unschedulable (the VM shows ErrorUnschedulable) and places it once a node appears", async () => {
    const id = suite();
    const ns = await namespace();
    for (const n of ["x", "y", "z"]) await node(`${n}-${id}`, { labels: { suite: id }, memory: "1Gi" });
    await api("POST", `/api/v1/namespaces/${ns}/pods`, podWith("big", id, { memory: "2Gi" }));
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "vm" },
      spec: { runStrategy: "Always", template: { spec: { nodeSelector: { suite: id }, domain: { devices: {}, resources: { requests: { memory: "2Gi" } } } } } },
    });
    const message = "0/3 nodes are available: 3 Insufficient memory.";
    await eventually(async () => podScheduled(await getPod(ns, "big"))?.message === message);
    expect(podScheduled(await getPod(ns, "big"))).toMatchObject({ status: "False", reason: "Unschedulable" });
    await eventually(async () => (await events(ns, "big")).some((e) => e.reason === "FailedScheduling" && e.message === message));
    const vmiPath = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/vm`;
    await eventually(async () => {
      const vmi = (await api<VMI>("GET", vmiPath)).body;
      return vmi.status?.phase === "Scheduling" && podScheduled(vmi)?.reason === "Unschedulable";
    });
    const vmStatus = async () => (await api<KubeObject & { status?: { printableStatus?: string } }>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/vm`)).body.status?.printableStatus;
    await eventually(async () => (await vmStatus()) === "ErrorUnschedulable");
    // While anything stays unschedulable a pass asks to run again, so it retries without a trigger.
    expect(await reconcileScheduler(env)).toEqual({ requeueAfterSeconds: RETRY_UNSCHEDULABLE_SECONDS });

    // A host with room joins: both are placed on it without any other trigger.
    await node(`big-${id}`, { labels: { suite: id }, memory: "8Gi" });
    await eventually(async () => (await getPod(ns, "big")).spec.nodeName === `big-${id}`);
    await eventually(async () => (await api<VMI>("GET", vmiPath)).body.status.nodeName === `big-${id}`);
    await eventually(async () => (await vmStatus()) === "Starting");
  });

  it("passes over cordoned, NotReady, kubevirt.io/schedulable=false and full nodes", async () => {
    const id = suite();
    const ns = await namespace();
    const labels = { suite: id };
    await node(`cordoned-${id}`, { labels, unschedulable: true });
    await node(`notready-${id}`, { labels, ready: "False" });
    await node(`novms-${id}`, { labels: { ...labels, "kubevirt.io/schedulable": "false" } });
    await node(`full-${id}`, { labels, pods: "0" });
    await api("POST", `/api/v1/namespaces/${ns}/pods`, podWith("p", id, {}));
    await eventually(async () => podScheduled(await getPod(ns, "p"))?.reason === "Unschedulable");
    expect(podScheduled(await getPod(ns, "p"))?.message).toBe(
      "0/4 nodes are available: 1 Too many pods, 1 node(s) didn't match Pod's node affinity/selector, " +
        "1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable.",
    );
    // The NotReady host recovers: the pod goes there.
    await api("PATCH", `/api/v1/nodes/notready-${id}/status`, {
      status: { conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, "Z") }] },
    }, { "content-type": "application/merge-patch+json" });
    await eventually(async () => (await getPod(ns, "p")).spec.nodeName === `notready-${id}`);
  });
});
