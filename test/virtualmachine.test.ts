/**
 * The VirtualMachine controller in workerd: run strategies create and delete
 * the VMI named after the VM; the test plays the host's part through /status.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { api, eventually, namespace } from "./helpers";

const MERGE = { "content-type": "application/merge-patch+json" };
type VM = KubeObject & { status?: { printableStatus?: string; ready?: boolean; created?: boolean } };

const vm = (name: string, runStrategy: string) => ({
  apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name },
  spec: { runStrategy, template: { metadata: { labels: { vm: name } }, spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } } } },
});

async function vmStatus(ns: string, name: string): Promise<VM["status"]> {
  return (await api<VM>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/${name}`)).body.status;
}

describe("VirtualMachine controller", () => {
  it("runs an Always VM, reports Running when the VMI is, and stops it when Halted", async () => {
    const ns = await namespace();
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, vm("vm1", "Always"));
    const vmiPath = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/vm1`;
    await eventually(async () => (await api("GET", vmiPath)).status === 200);
    const vmi = (await api<KubeObject>("GET", vmiPath)).body;
    expect(vmi.metadata.ownerReferences?.[0]).toMatchObject({ kind: "VirtualMachine", name: "vm1", controller: true, blockOwnerDeletion: true });
    expect(vmi.metadata.finalizers).toContain("kubevirt.io/virtualMachineControllerFinalize");
    expect(vmi.metadata.labels).toMatchObject({ vm: "vm1" });
    await eventually(async () => (await vmStatus(ns, "vm1"))?.printableStatus === "Starting");

    // The host reports the VMI running and ready.
    await api("PATCH", `${vmiPath}/status`, { status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } }, MERGE);
    await eventually(async () => {
      const s = await vmStatus(ns, "vm1");
      return s?.printableStatus === "Running" && s.ready === true && s.created === true;
    });

    await api("PATCH", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/vm1`, { spec: { runStrategy: "Halted" } }, MERGE);
    await eventually(async () => (await api<KubeObject>("GET", vmiPath)).body.metadata.deletionTimestamp !== undefined);
    await eventually(async () => (await vmStatus(ns, "vm1"))?.printableStatus === "Stopping");
    // The host reports the guest shut down; the controller lets the VMI go.
    await api("PATCH", `${vmiPath}/status`, { status: { phase: "Succeeded" } }, MERGE);
    await eventually(async () => (await api("GET", vmiPath)).status === 404);
    await eventually(async () => (await vmStatus(ns, "vm1"))?.printableStatus === "Stopped");
  });

  it("leaves a Halted VM stopped and creates nothing", async () => {
    const ns = await namespace();
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, vm("quiet", "Halted"));
    await eventually(async () => (await vmStatus(ns, "quiet"))?.printableStatus === "Stopped");
    expect((await api("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/quiet`)).status).toBe(404);
  });
});

describe("subresources.kubevirt.io", () => {
  const sub = (ns: string, name: string, verb: string, body = "{}") =>
    api<{ message?: string; code?: number }>("PUT", `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachines/${name}/${verb}`, body, { "content-type": "" });

  it("starts, stops and restarts a Manual VM through state change requests, with KubeVirt's errors", async () => {
    const ns = await namespace();
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, vm("m", "Manual"));
    const vmiPath = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/m`;
    expect((await sub(ns, "m", "stop")).body.message).toContain("VM is not running");
    expect((await sub(ns, "m", "start")).status).toBe(202);
    await eventually(async () => (await api("GET", vmiPath)).status === 200);
    await api("PATCH", `${vmiPath}/status`, { status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } }, MERGE);
    await eventually(async () => (await vmStatus(ns, "m"))?.printableStatus === "Running");
    const again = await sub(ns, "m", "start");
    expect(again.status).toBe(409);
    expect(again.body.message).toContain("VM is already running");
    expect((await sub(ns, "m", "restart", '{"gracePeriodSeconds":5}')).status).toBe(400);
    expect((await sub(ns, "m", "stop")).status).toBe(202);
    await eventually(async () => (await api<KubeObject>("GET", vmiPath)).body.metadata.deletionTimestamp !== undefined);
    await api("PATCH", `${vmiPath}/status`, { status: { phase: "Succeeded" } }, MERGE);
    await eventually(async () => (await vmStatus(ns, "m"))?.printableStatus === "Stopped");
    expect((await sub(ns, "missing", "start")).status).toBe(404);
  });

  it("rejects manual starts for Always and halts an Always VM on stop; pauses a running VMI", async () => {
    const ns = await namespace();
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, vm("a", "Always"));
    const vmiPath = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/a`;
    await eventually(async () => (await api("GET", vmiPath)).status === 200);
    await api("PATCH", `${vmiPath}/status`, { status: { phase: "Running" } }, MERGE);
    const start = await sub(ns, "a", "start");
    expect(start.status).toBe(409);
    const pause = (verb: string) => api<{ message?: string }>("PUT", `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/a/${verb}`, "{}", { "content-type": "" });
    expect((await pause("unpause")).body.message).toContain("VMI is not paused");
    expect((await pause("pause")).status).toBe(200);
    expect((await pause("pause")).body.message).toContain("VMI is already paused");
    await eventually(async () => (await vmStatus(ns, "a"))?.printableStatus === "Paused");
    expect((await pause("unpause")).status).toBe(200);
    expect((await sub(ns, "a", "stop")).status).toBe(202);
    const spec = (await api<KubeObject & { spec: { runStrategy: string } }>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/a`)).body.spec;
    expect(spec.runStrategy).toBe("Halted");
  });
});
