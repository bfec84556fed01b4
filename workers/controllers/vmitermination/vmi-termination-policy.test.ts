import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/object";
import { decideVMITermination } from "./vmi-termination-policy";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const vmi = (status: Record<string, unknown>, deletedSecondsAgo: number, grace?: number): KubeObject => ({
  apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance",
  metadata: { name: "v", namespace: "ns", deletionTimestamp: new Date(NOW - deletedSecondsAgo * 1000).toISOString().replace(".000Z", "Z"), finalizers: ["kubevirt.io/foregroundDeleteVirtualMachine"] },
  spec: { domain: {}, ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}) },
  status,
});

describe("decideVMITermination", () => {
  it("an unbound VMI fails and is let go; a final one is let go", () => {
    expect(decideVMITermination(vmi({ phase: "Pending" }, 0), NOW)).toEqual({ action: "fail", reason: "Unscheduled" });
    expect(decideVMITermination(vmi({ phase: "Succeeded", nodeName: "n" }, 0), NOW)).toEqual({ action: "release" });
    expect(decideVMITermination(vmi({ phase: "Failed" }, 0), NOW)).toEqual({ action: "release" });
  });

  it("a running VMI waits for its host until the grace period (default 30 s) ends, then fails", () => {
    expect(decideVMITermination(vmi({ phase: "Running", nodeName: "n" }, 10), NOW)).toEqual({ action: "wait", requeueAfterSeconds: 20 });
    expect(decideVMITermination(vmi({ phase: "Running", nodeName: "n" }, 30), NOW)).toEqual({ action: "fail", reason: "GracePeriodExpired" });
    expect(decideVMITermination(vmi({ phase: "Scheduled", nodeName: "n" }, 1, 5), NOW)).toEqual({ action: "wait", requeueAfterSeconds: 4 });
    expect(decideVMITermination(vmi({ phase: "Running", nodeName: "n" }, 0, 0), NOW)).toEqual({ action: "fail", reason: "GracePeriodExpired" });
  });
});
