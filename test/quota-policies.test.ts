/**
 * The quota policies other than `standard`, inside workerd: `vm-guest`
 * charges VMIs and running VMs for their guests, `overcommit` charges limits
 * at request × ratio; each with upstream's message.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { api, eventually, namespace } from "./helpers";
import { createPod, createQuota, podWith, quota, usedOf } from "./quota-helpers";

const MERGE = { "content-type": "application/merge-patch+json" };

function vmiSpec(cpu: { sockets?: number; cores?: number; threads?: number }, memory: string): Record<string, unknown> {
  return { domain: { devices: {}, cpu, memory: { guest: memory }, resources: { requests: { memory: "64Mi" } } } };
}

function vmi(name: string, spec: Record<string, unknown>, priorityClassName?: string): KubeObject {
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name }, spec: { ...spec, ...(priorityClassName ? { priorityClassName } : {}) } };
}

function vm(name: string, runStrategy: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name }, spec: { runStrategy, template: { spec } } };
}

const post = (ns: string, plural: string, body: KubeObject) =>
  api<{ message: string }>("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/${plural}`, body);

describe("vm-guest policy", () => {
  it("charges a VMI for sockets × cores × threads and the guest's memory", async () => {
    const ns = await namespace("vmq");
    await createQuota(ns, quota("vmq", { "requests.cpu": "4", "requests.memory": "4Gi" }, { annotations: { "quota.duraplane.io/policy": "vm-guest" } }));
    expect((await post(ns, "virtualmachineinstances", vmi("big", vmiSpec({ sockets: 2, cores: 2, threads: 1 }, "2Gi")))).status).toBe(201);
    await eventually(async () => JSON.stringify(await usedOf(ns, "vmq")) === JSON.stringify({ "requests.cpu": "4", "requests.memory": "2Gi" }));
    const refused = await post(ns, "virtualmachineinstances", vmi("small", vmiSpec({}, "1Gi")));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      'virtualmachineinstances.kubevirt.io "small" is forbidden: exceeded quota: vmq, requested: requests.cpu=1, used: requests.cpu=4, limited: requests.cpu=4',
    );
    // A halted VM would not run: not charged. One that would run is.
    expect((await post(ns, "virtualmachines", vm("halted", "Halted", vmiSpec({}, "1Gi")))).status).toBe(201);
    expect((await post(ns, "virtualmachines", vm("always", "Always", vmiSpec({}, "1Gi")))).body.message)
      .toContain("exceeded quota: vmq, requested: requests.cpu=1, used: requests.cpu=4");
    // A final VMI gives its guest back.
    await api("PATCH", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/big/status`, { status: { phase: "Failed" } }, MERGE);
    expect((await post(ns, "virtualmachines", vm("always", "Always", vmiSpec({ cores: 2 }, "1Gi")))).status).toBe(201);
    // Its VMI (owned by the VM) is not charged a second time.
    await eventually(async () => (await api("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/always`)).status === 200);
    await eventually(async () => JSON.stringify(await usedOf(ns, "vmq")) === JSON.stringify({ "requests.cpu": "2", "requests.memory": "1Gi" }));
  });

  it("checks a VM whose runStrategy would start it", async () => {
    const ns = await namespace("vmq");
    await createQuota(ns, quota("vmq", { "requests.cpu": "1" }, { annotations: { "quota.duraplane.io/policy": "vm-guest" } }));
    expect((await post(ns, "virtualmachines", vm("idle", "Halted", vmiSpec({ cores: 2 }, "1Gi")))).status).toBe(201);
    const start = await api<{ message: string }>("PATCH", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/idle`, { spec: { runStrategy: "Always" } }, MERGE);
    expect(start.status).toBe(403);
    expect(start.body.message).toBe(
      'virtualmachines.kubevirt.io "idle" is forbidden: exceeded quota: vmq, requested: requests.cpu=2, used: requests.cpu=0, limited: requests.cpu=1',
    );
  });

  it("leaves VMIs uncharged for compute under standard, and applies scopes to VMIs under vm-guest", async () => {
    const ns = await namespace("vmq");
    await createQuota(ns, quota("std", { "requests.cpu": "1" }));
    await createQuota(ns, quota("prio", { "requests.cpu": "1" }, {
      annotations: { "quota.duraplane.io/policy": "vm-guest" },
      scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["gold"] }] },
    }));
    expect((await post(ns, "virtualmachineinstances", vmi("plain", vmiSpec({ sockets: 4 }, "1Gi")))).status).toBe(201);
    expect((await post(ns, "virtualmachineinstances", vmi("gold", vmiSpec({ sockets: 2 }, "1Gi"), "gold"))).body.message)
      .toContain("exceeded quota: prio, requested: requests.cpu=2, used: requests.cpu=0, limited: requests.cpu=1");
  });
});

describe("overcommit policy", () => {
  it("charges limits at request × ratio and requires requests", async () => {
    const ns = await namespace("oc");
    await createQuota(ns, quota("oc", { "limits.cpu": "2", "requests.cpu": "10" }, {
      annotations: { "quota.duraplane.io/policy": "overcommit", "quota.duraplane.io/overcommit": "4" },
    }));
    // Declared limits are ignored: 500m × 4 = 2 cores of limit.
    expect((await createPod(ns, podWith("a", { cpu: "500m" }, { cpu: "8" }))).status).toBe(201);
    const refused = await createPod(ns, podWith("b", { cpu: "100m" }));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      'pods "b" is forbidden: exceeded quota: oc, requested: limits.cpu=400m, used: limits.cpu=2, limited: limits.cpu=2',
    );
    const bare = await createPod(ns, podWith("c", { memory: "1Gi" }));
    expect(bare.body.message).toBe('pods "c" is forbidden: failed quota: oc: must specify requests.cpu for: web');
    await eventually(async () => JSON.stringify(await usedOf(ns, "oc")) === JSON.stringify({ "limits.cpu": "2", "requests.cpu": "500m" }));
  });

  it("charges a VMI's requests × ratio as its limits", async () => {
    const ns = await namespace("oc");
    await createQuota(ns, quota("oc", { "limits.memory": "1Gi" }, {
      annotations: { "quota.duraplane.io/policy": "overcommit", "quota.duraplane.io/overcommit": "2" },
    }));
    const spec = { domain: { devices: {}, resources: { requests: { memory: "256Mi" } } } };
    expect((await post(ns, "virtualmachineinstances", vmi("one", spec))).status).toBe(201);
    expect((await post(ns, "virtualmachineinstances", vmi("two", spec))).status).toBe(201);
    expect((await post(ns, "virtualmachineinstances", vmi("three", spec))).body.message)
      .toBe('virtualmachineinstances.kubevirt.io "three" is forbidden: exceeded quota: oc, requested: limits.memory=512Mi, used: limits.memory=1Gi, limited: limits.memory=1Gi');
  });
});
