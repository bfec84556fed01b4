import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/object";
import { keysForChange, resyncKeys } from "../runtime/keys";
import { SCHEDULER_KEY, schedulingKeys } from "./scheduling-keys";

const pod = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, meta: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", ...meta }, spec: { containers: [], ...spec }, status,
});
const vmi = (status: Record<string, unknown>, meta: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: "v", namespace: "ns", ...meta }, spec: { domain: {} }, status,
});
const node = (ready: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1", kind: "Node", metadata: { name: "n1", labels },
  status: { conditions: [{ type: "Ready", status: ready, lastHeartbeatTime: "2026-03-01T12:00:00Z" }], ...extra },
});
const controllers = (keys: { controller: string }[]): string[] => keys.map((k) => k.controller);

describe("scheduler triggers", () => {
  it("a new or changed unbound Pending pod, but not its own Unschedulable condition write", () => {
    const p = pod({ phase: "Pending" });
    expect(schedulingKeys(p, null, "ADDED")).toEqual([SCHEDULER_KEY]);
    expect(schedulingKeys(pod({ phase: "Pending", conditions: [{ type: "PodScheduled", status: "False" }] }), p, "MODIFIED")).toEqual([]);
    expect(schedulingKeys(pod({ phase: "Pending" }, { tolerations: [{ operator: "Exists" }] }), p, "MODIFIED")).toEqual([SCHEDULER_KEY]);
    expect(schedulingKeys(pod({ phase: "Pending" }, { schedulerName: "custom" }), null, "ADDED")).toEqual([]);
  });

  it("capacity freed: a bound pod or VMI finishing or deleted; not a bind", () => {
    const bound = pod({ phase: "Running" }, { nodeName: "n1" });
    expect(schedulingKeys(pod({ phase: "Succeeded" }, { nodeName: "n1" }), bound, "MODIFIED")).toEqual([SCHEDULER_KEY]);
    expect(schedulingKeys(bound, bound, "DELETED")).toEqual([SCHEDULER_KEY]);
    expect(schedulingKeys(pod({ phase: "Pending" }, { nodeName: "n1" }), pod({ phase: "Pending" }), "MODIFIED")).toEqual([]);
    const running = vmi({ phase: "Running", nodeName: "n1" });
    expect(schedulingKeys(vmi({ phase: "Failed", nodeName: "n1" }), running, "MODIFIED")).toEqual([SCHEDULER_KEY]);
  });

  it("a Node's readiness, capacity or labels, never a bare heartbeat", () => {
    const n = node("True");
    expect(controllers(schedulingKeys(n, null, "ADDED"))).toEqual(["scheduler", "nodelifecycle"]);
    const beat = { ...n, status: { conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "2026-03-01T12:00:10Z" }] } };
    expect(controllers(schedulingKeys(beat, n, "MODIFIED"))).toEqual(["nodelifecycle"]);
    expect(controllers(schedulingKeys(node("Unknown"), n, "MODIFIED"))).toEqual(["scheduler", "nodelifecycle"]);
    expect(controllers(schedulingKeys(node("True", { allocatable: { cpu: "8" } }), n, "MODIFIED"))).toEqual(["scheduler", "nodelifecycle"]);
    expect(controllers(schedulingKeys(node("True", {}, { zone: "a" }), n, "MODIFIED"))).toEqual(["scheduler", "nodelifecycle"]);
    // A deleted node frees nothing for the scheduler, but its workloads are orphans to collect.
    expect(controllers(schedulingKeys(n, n, "DELETED"))).toEqual(["nodelifecycle"]);
  });
});

describe("VMI termination and resync keys", () => {
  it("a deleting VMI held by the host finalizer gets its own key", () => {
    const held = vmi({ phase: "Running", nodeName: "n1" }, { deletionTimestamp: "2026-03-01T12:00:00Z", finalizers: ["kubevirt.io/foregroundDeleteVirtualMachine"] });
    expect(schedulingKeys(held, null, "MODIFIED")).toEqual([{ controller: "vmitermination", namespace: "ns", name: "v" }]);
    expect(schedulingKeys(vmi({ phase: "Running" }, { deletionTimestamp: "2026-03-01T12:00:00Z" }), null, "MODIFIED")).toEqual([]);
  });

  it("the resync enqueues pending work and nodes, never a pod's owner", () => {
    const owned = pod({ phase: "Pending" }, {}, { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "u", controller: true }] });
    expect(resyncKeys(owned)).toEqual([SCHEDULER_KEY]);
    expect(controllers(keysForChange(owned, null, "ADDED"))).toEqual(["scheduler", "replicaset"]);
    expect(resyncKeys(pod({ phase: "Running" }, { nodeName: "n1" }))).toEqual([]);
    expect(resyncKeys(node("True"))).toEqual([{ controller: "nodelifecycle", namespace: "", name: "n1" }]);
  });
});
