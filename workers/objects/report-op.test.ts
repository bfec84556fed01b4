import { describe, expect, it } from "vitest";
import type { JsonObject, KubeObject } from "../../shared/k8s/object";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { kindByResource } from "../registry";
import { planReport, type ReportOp } from "./report-op";

const NOW = Date.parse("2026-03-01T12:00:00Z");

function kind(resource: string): ResourceKind {
  const k = kindByResource(resource);
  if (!k) throw new Error(resource);
  return k;
}
const VMIS = kind("kubevirt.io/virtualmachineinstances");

const PAUSED: JsonObject = { type: "Paused", status: "True", reason: "PausedByUser", message: "VMI was paused by user", lastProbeTime: null, lastTransitionTime: "2026-03-01T11:00:00Z" };
const READY: JsonObject = { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: "2026-03-01T11:00:00Z" };

function runningVmi(conditions: JsonObject[]): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance",
    metadata: { name: "vm", namespace: "ns", uid: "u1", resourceVersion: "9" },
    spec: { domain: { devices: {} } },
    status: { phase: "Running", nodeName: "host-1", conditions },
  };
}

function report(conditions: JsonObject[]): ReportOp {
  return { verb: "report", node: "host-1", uid: "u1", sequence: 5, stopped: false, status: { phase: "Running", conditions } };
}

const conditionTypes = (obj: KubeObject): unknown[] => ((obj.status as { conditions?: { type: string }[] } | undefined)?.conditions ?? []).map((c) => c.type);

describe("report: a VMI's pause is the user's intent", () => {
  it("does not re-add Paused=True (PausedByUser) that unpause removed, when the host saw the domain still suspended", () => {
    const unpaused = runningVmi([READY]);
    const next = planReport(VMIS, unpaused, report([READY, { type: "Paused", status: "True", reason: "PausedByUser" }]), NOW, 4);
    expect(conditionTypes(next)).toEqual(["Ready"]);
  });

  it("keeps Paused while the user wants it, whether or not the report carries it", () => {
    const paused = runningVmi([READY, PAUSED]);
    expect(conditionTypes(planReport(VMIS, paused, report([READY]), NOW, 4))).toEqual(["Ready", "Paused"]);
    expect(conditionTypes(planReport(VMIS, paused, report([READY, { type: "Paused", status: "True", reason: "PausedByUser" }]), NOW, 4))).toEqual(["Ready", "Paused"]);
  });

  it("still takes a Paused condition the host reports for another reason (the hypervisor paused the domain)", () => {
    const next = planReport(VMIS, runningVmi([READY]), report([READY, { type: "Paused", status: "True", reason: "PausedIOError" }]), NOW, 4);
    expect(conditionTypes(next)).toEqual(["Ready", "Paused"]);
  });
});
