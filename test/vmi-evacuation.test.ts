/**
 * VMIs on a cordoned host (what `kubectl drain` does first) follow their
 * evictionStrategy: None is deleted so its VirtualMachine starts it on
 * another host; LiveMigrate (the default) stays until live migration exists.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { api, eventually, namespace, pod } from "./helpers";
import { addNode, removeNodes } from "./node-helpers";

const SMP = { "content-type": "application/strategic-merge-patch+json" };
type VMI = KubeObject & { status?: { nodeName?: string }; metadata: { uid?: string; deletionTimestamp?: string } };

function vm(name: string, evictionStrategy?: string) {
  return {
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name },
    spec: {
      runStrategy: "Always",
      template: { spec: { ...(evictionStrategy ? { evictionStrategy } : {}), domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } } },
    },
  };
}

describe("VMIs on a cordoned host", () => {
  it("deletes evictionStrategy None VMIs (their VM restarts them elsewhere) and leaves LiveMigrate ones", async () => {
    const id = crypto.randomUUID().slice(0, 6);
    const [a, b] = [`evac-a-${id}`, `evac-b-${id}`];
    await addNode(a, { unschedulable: false });
    const ns = await namespace("evac");
    const vmiPath = (n: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${n}`;
    for (const [name, strategy] of [["none", "None"], ["live", undefined]] as const) {
      expect((await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, vm(name, strategy))).status).toBe(201);
    }
    await eventually(async () => (await api<VMI>("GET", vmiPath("none"))).body.status?.nodeName === a &&
      (await api<VMI>("GET", vmiPath("live"))).body.status?.nodeName === a, 15_000);
    const before = (await api<VMI>("GET", vmiPath("none"))).body.metadata.uid;

    await addNode(b);
    expect((await api("PATCH", `/api/v1/nodes/${a}`, { spec: { unschedulable: true } }, SMP)).status).toBe(200);
    // The None VMI goes (deleted, then recreated by its VM on the other host).
    await eventually(async () => {
      const got = await api<VMI>("GET", vmiPath("none"));
      return got.status === 404 || got.body.metadata.deletionTimestamp !== undefined || got.body.metadata.uid !== before;
    }, 15_000);
    const live = await api<VMI>("GET", vmiPath("live"));
    expect(live.body.metadata.deletionTimestamp).toBeUndefined();
    expect(live.body.status?.nodeName).toBe(a);
    await removeNodes([a, b]);
  });
});

describe("LiveMigrateIfPossible on a cordoned host", () => {
  it("deletes a VMI its host reported not live-migratable (its VM restarts it elsewhere) and leaves a migratable one", async () => {
    const id = crypto.randomUUID().slice(0, 6);
    const [a, b] = [`evac-ip-a-${id}`, `evac-ip-b-${id}`];
    await addNode(a, { unschedulable: false });
    const ns = await namespace("evac-ip");
    const vmiPath = (n: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${n}`;
    for (const name of ["stuck", "movable"]) {
      expect((await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, vm(name, "LiveMigrateIfPossible"))).status).toBe(201);
    }
    await eventually(async () => (await api<VMI>("GET", vmiPath("stuck"))).body.status?.nodeName === a &&
      (await api<VMI>("GET", vmiPath("movable"))).body.status?.nodeName === a, 15_000);
    // What a host reports for a VMI with a disk it cannot move (virt-handler's LiveMigratable condition).
    const notMigratable = { status: { conditions: [{ type: "LiveMigratable", status: "False", reason: "DisksNotLiveMigratable" }] } };
    expect((await api("PATCH", `${vmiPath("stuck")}/status`, notMigratable, { "content-type": "application/merge-patch+json" })).status).toBe(200);
    const before = (await api<VMI>("GET", vmiPath("stuck"))).body.metadata.uid;

    await addNode(b);
    expect((await api("PATCH", `/api/v1/nodes/${a}`, { spec: { unschedulable: true } }, SMP)).status).toBe(200);
    await eventually(async () => {
      const got = await api<VMI>("GET", vmiPath("stuck"));
      return got.status === 404 || got.body.metadata.deletionTimestamp !== undefined || got.body.metadata.uid !== before;
    }, 15_000);
    const movable = await api<VMI>("GET", vmiPath("movable"));
    expect(movable.body.metadata.deletionTimestamp).toBeUndefined();
    await removeNodes([a, b]);
  });
});

describe("NoExecute taints (the taint manager)", () => {
  it("evicts bound pods that do not tolerate a NoExecute taint and keeps those that do", async () => {
    const id = crypto.randomUUID().slice(0, 6);
    const host = `noexec-${id}`;
    await addNode(host);
    const ns = await namespace("noexec");
    const podPath = (n: string) => `/api/v1/namespaces/${ns}/pods/${n}`;
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("plain"))).status).toBe(201);
    const tolerant = pod("tolerant", { spec: { containers: [{ name: "web", image: "nginx:1.27" }], tolerations: [{ key: "maint", operator: "Exists", effect: "NoExecute" }] } });
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, tolerant)).status).toBe(201);
    type P = { spec: { nodeName?: string }; metadata: { deletionTimestamp?: string } };
    await eventually(async () => (await api<P>("GET", podPath("plain"))).body.spec.nodeName === host &&
      (await api<P>("GET", podPath("tolerant"))).body.spec.nodeName === host, 15_000);

    const taints = [{ key: "maint", value: "x", effect: "NoExecute", timeAdded: new Date().toISOString().replace(/\.\d+Z$/, "Z") }];
    expect((await api("PATCH", `/api/v1/nodes/${host}`, { spec: { taints } }, SMP)).status).toBe(200);
    await eventually(async () => {
      const got = await api<P>("GET", podPath("plain"));
      return got.status === 404 || got.body.metadata.deletionTimestamp !== undefined;
    }, 15_000);
    expect((await api<P>("GET", podPath("tolerant"))).body.metadata.deletionTimestamp).toBeUndefined();
    await removeNodes([host]);
  });
});
