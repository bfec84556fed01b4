/**
 * KubeVirt's VirtualMachinePool on the shared replicas core, inside workerd:
 * VMs named `<pool>-<index>` with the lowest free index, scale through
 * /scale, a deleted member replaced under its name, scale-in from the
 * highest index, status, and validation.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { api, eventually, namespace, type StatusBody } from "./helpers";

const MERGE = { "content-type": "application/merge-patch+json" };

const pool = (name: string, replicas: number, labels: Record<string, string> = { pool: name }) => ({
  apiVersion: "pool.kubevirt.io/v1alpha1", kind: "VirtualMachinePool", metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { pool: name } },
    virtualMachineTemplate: {
      metadata: { labels },
      spec: { runStrategy: "Halted", template: { spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } } } },
    },
  },
});

async function vmNames(ns: string, name: string): Promise<string[]> {
  const list = await api<{ items: KubeObject[] }>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines?labelSelector=pool%3D${name}`);
  return list.body.items.filter((vm) => !vm.metadata.deletionTimestamp).map((vm) => vm.metadata.name ?? "").sort();
}

describe("VirtualMachinePool", () => {
  it("keeps <pool>-<index> VMs: creates, scales, replaces a deleted member under its name, scales in from the top", async () => {
    const ns = await namespace();
    expect((await api("POST", `/apis/pool.kubevirt.io/v1alpha1/namespaces/${ns}/virtualmachinepools`, pool("p", 2))).status).toBe(201);
    await eventually(async () => (await vmNames(ns, "p")).join() === "p-0,p-1");
    const vm = await api<KubeObject>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/p-0`);
    expect(vm.body.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "VirtualMachinePool", name: "p", controller: true })]);
    await api("PATCH", `/apis/pool.kubevirt.io/v1alpha1/namespaces/${ns}/virtualmachinepools/p/scale`, { spec: { replicas: 3 } }, MERGE);
    await eventually(async () => (await vmNames(ns, "p")).join() === "p-0,p-1,p-2");
    const before = (await api<KubeObject>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/p-1`)).body.metadata.uid;
    await api("DELETE", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/p-1`);
    await eventually(async () => {
      const got = await api<KubeObject>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/p-1`);
      return got.status === 200 && got.body.metadata.uid !== before && !got.body.metadata.deletionTimestamp &&
        (await vmNames(ns, "p")).join() === "p-0,p-1,p-2";
    });
    await api("PATCH", `/apis/pool.kubevirt.io/v1alpha1/namespaces/${ns}/virtualmachinepools/p/scale`, { spec: { replicas: 1 } }, MERGE);
    await eventually(async () => (await vmNames(ns, "p")).join() === "p-0");
    await eventually(async () => {
      const p = await api<{ status?: { replicas?: number; labelSelector?: string } }>("GET", `/apis/pool.kubevirt.io/v1alpha1/namespaces/${ns}/virtualmachinepools/p`);
      return p.body.status?.replicas === 1 && p.body.status.labelSelector === "pool=p";
    });
    const table = await api<{ columnDefinitions: { name: string }[] }>("GET", `/apis/pool.kubevirt.io/v1alpha1/namespaces/${ns}/virtualmachinepools`, undefined, {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
    });
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Desired", "Current", "Ready", "Age"]);
  });

  it("refuses a selector that does not match the VM template's labels, as KubeVirt's admitter", async () => {
    const ns = await namespace();
    const res = await api<StatusBody>("POST", `/apis/pool.kubevirt.io/v1alpha1/namespaces/${ns}/virtualmachinepools`, pool("bad", 1, { other: "x" }));
    expect(res.status).toBe(422);
    expect(res.body.message).toContain("selector does not match labels.");
  });

  it("deleting the pool deletes its VMs", async () => {
    const ns = await namespace();
    await api("POST", `/apis/pool.kubevirt.io/v1alpha1/namespaces/${ns}/virtualmachinepools`, pool("g", 2));
    await eventually(async () => (await vmNames(ns, "g")).length === 2);
    await api("DELETE", `/apis/pool.kubevirt.io/v1alpha1/namespaces/${ns}/virtualmachinepools/g`);
    await eventually(async () => (await vmNames(ns, "g")).length === 0);
  });
});
