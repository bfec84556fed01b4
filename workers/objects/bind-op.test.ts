import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../shared/k8s/object";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { kindByResource } from "../registry";
import { planBind } from "./bind-op";
import { apiErrorOf } from "../../test/api-error";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const STAMP = "2026-03-01T12:00:00Z";

function kind(resource: string): ResourceKind {
  const k = kindByResource(resource);
  if (!k) throw new Error(resource);
  return k;
}
const PODS = kind("/pods");
const VMIS = kind("kubevirt.io/virtualmachineinstances");

function pod(spec: Record<string, unknown> = {}, meta: Partial<KubeObject["metadata"]> = {}, status: Record<string, unknown> = { phase: "Pending" }): KubeObject {
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: "web", namespace: "ns", uid: "u1", resourceVersion: "7", ...meta },
    spec: { containers: [{ name: "c", image: "x" }], ...spec },
    status,
  };
}

function vmi(status: Record<string, unknown> = { phase: "Pending" }, meta: Partial<KubeObject["metadata"]> = {}): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance",
    metadata: { name: "vm", namespace: "ns", uid: "u2", resourceVersion: "9", labels: { app: "x" }, ...meta },
    spec: { domain: { devices: {} } },
    status,
  };
}

describe("bind: pods (assignPod)", () => {
  it("sets spec.nodeName and PodScheduled=True, replacing an Unschedulable condition", () => {
    const unschedulable = { type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/1 nodes", lastProbeTime: null, lastTransitionTime: "2026-03-01T11:00:00Z" };
    const next = planBind(PODS, pod({}, {}, { phase: "Pending", conditions: [unschedulable] }), { verb: "bind", node: "host-1" }, NOW);
    expect((next.spec as { nodeName?: string }).nodeName).toBe("host-1");
    expect((next.status as { conditions: unknown[] }).conditions).toEqual([
      { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: STAMP },
    ]);
    expect(next.metadata.generation).toBeUndefined();
  });

  it("refuses a bound pod with upstream's 409 on pods/binding", () => {
    const err = apiErrorOf(() => planBind(PODS, pod({ nodeName: "host-0" }), { verb: "bind", node: "host-1" }, NOW));
    expect(err.code).toBe(409);
    expect(err.message).toBe('Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "host-0"');
  });

  it("refuses a deleting pod, a gated pod and stale preconditions", () => {
    expect(apiErrorOf(() => planBind(PODS, pod({}, { deletionTimestamp: STAMP }), { verb: "bind", node: "h" }, NOW)).message)
      .toContain("pod web is being deleted, cannot be assigned to a host");
    expect(apiErrorOf(() => planBind(PODS, pod({ schedulingGates: [{ name: "g" }] }), { verb: "bind", node: "h" }, NOW)).message)
      .toContain("pod web has non-empty .spec.schedulingGates");
    expect(apiErrorOf(() => planBind(PODS, pod(), { verb: "bind", node: "h", preconditions: { uid: "other" } }, NOW)).message)
      .toContain("Precondition failed: UID in precondition: other, UID in object meta: u1");
    expect(apiErrorOf(() => planBind(PODS, pod(), { verb: "bind", node: "h", preconditions: { resourceVersion: "6" } }, NOW)).code).toBe(409);
  });

  it("answers 422 for an empty or malformed node name", () => {
    const empty = apiErrorOf(() => planBind(PODS, pod(), { verb: "bind", node: "" }, NOW));
    expect([empty.code, empty.message]).toEqual([422, 'Binding "web" is invalid: target.name: Required value']);
    expect(apiErrorOf(() => planBind(PODS, pod(), { verb: "bind", node: "Bad_Name" }, NOW)).code).toBe(422);
  });
});

describe("bind: VMIs (virt-controller's Scheduled)", () => {
  it("sets nodeName, the nodeName label, phase Scheduled through Scheduling, PodScheduled and the host finalizer", () => {
    const next = planBind(VMIS, vmi({ phase: "Pending", phaseTransitionTimestamps: [{ phase: "Pending", phaseTransitionTimestamp: "2026-03-01T11:59:00Z" }] }), { verb: "bind", node: "host-1" }, NOW);
    expect(next.metadata.labels).toEqual({ app: "x", "kubevirt.io/nodeName": "host-1" });
    expect(next.metadata.finalizers).toEqual(["kubevirt.io/foregroundDeleteVirtualMachine"]);
    expect(next.status).toEqual({
      phase: "Scheduled", nodeName: "host-1",
      phaseTransitionTimestamps: [
        { phase: "Pending", phaseTransitionTimestamp: "2026-03-01T11:59:00Z" },
        { phase: "Scheduling", phaseTransitionTimestamp: STAMP },
        { phase: "Scheduled", phaseTransitionTimestamp: STAMP },
      ],
      conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: STAMP }],
    });
  });

  it("from Scheduling (unschedulable before) keeps the first Scheduling stamp and replaces the Unschedulable condition", () => {
    const status = {
      phase: "Scheduling",
      phaseTransitionTimestamps: [{ phase: "Scheduling", phaseTransitionTimestamp: "2026-03-01T11:00:00Z" }],
      conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/1", lastTransitionTime: "2026-03-01T11:00:00Z" }],
    };
    const next = planBind(VMIS, vmi(status, { finalizers: ["kubevirt.io/virtualMachineControllerFinalize"] }), { verb: "bind", node: "h" }, NOW);
    const s = next.status as { phaseTransitionTimestamps: { phase: string }[]; conditions: { status: string; reason?: string }[] };
    expect(s.phaseTransitionTimestamps.map((t) => t.phase)).toEqual(["Scheduling", "Scheduled"]);
    expect(s.conditions).toEqual([{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: STAMP }]);
    expect(next.metadata.finalizers).toEqual(["kubevirt.io/virtualMachineControllerFinalize", "kubevirt.io/foregroundDeleteVirtualMachine"]);
  });

  it("is a no-op on the same node and refuses another node, a final, deleting or running VMI", () => {
    const bound = vmi({ phase: "Scheduled", nodeName: "h" });
    expect(planBind(VMIS, bound, { verb: "bind", node: "h" }, NOW)).toBe(bound);
    expect(apiErrorOf(() => planBind(VMIS, bound, { verb: "bind", node: "other" }, NOW)).message)
      .toBe('Operation cannot be fulfilled on virtualmachineinstances.kubevirt.io "vm": vmi vm is already assigned to node "h"');
    expect(apiErrorOf(() => planBind(VMIS, vmi({ phase: "Failed" }), { verb: "bind", node: "h" }, NOW)).code).toBe(409);
    expect(apiErrorOf(() => planBind(VMIS, vmi({ phase: "Pending" }, { deletionTimestamp: STAMP }), { verb: "bind", node: "h" }, NOW)).message)
      .toContain("is being deleted");
    expect(apiErrorOf(() => planBind(VMIS, vmi({ phase: "Running" }), { verb: "bind", node: "h" }, NOW)).message)
      .toContain("vmi vm is in phase Running, cannot be assigned to a host");
  });

  it("binds only pods and VMIs", () => {
    const node: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: "n" } };
    expect(apiErrorOf(() => planBind(kind("/nodes"), node, { verb: "bind", node: "h" }, NOW)).code).toBe(400);
  });
});
