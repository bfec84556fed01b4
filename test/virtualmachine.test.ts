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
