import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { virtualMachineInstancePrinter } from "./virtualmachineinstance";

const NOW = new Date("2025-01-01T00:05:00Z");

function obj(kind: string, name: string, spec: unknown, status: unknown): KubeObject {
  return { apiVersion: "kubevirt.io/v1", kind, metadata: { name, namespace: "default", creationTimestamp: "2025-01-01T00:00:00Z" }, spec, status };
}

describe("virtualMachineInstancePrinter", () => {
  it("has KubeVirt's columns, Live-Migratable and Paused wide", () => {
    expect(virtualMachineInstancePrinter.columns.map((c) => `${c.name}:${c.type}:${c.priority}`)).toEqual([
      "Name:string:0",
      "Age:date:0",
      "Phase:string:0",
      "IP:string:0",
      "NodeName:string:0",
      "Ready:string:0",
      "Live-Migratable:string:1",
      "Paused:string:1",
    ]);
  });

  it.each<[string, KubeObject, unknown[]]>([
    ["pending, nothing assigned", obj("VirtualMachineInstance", "vmi1", {}, { phase: "Pending" }), ["vmi1", "5m", "Pending", null, null, null, null, null]],
    [
      "scheduled, interface without an address yet",
      obj("VirtualMachineInstance", "vmi1", {}, {
        phase: "Scheduled",
        nodeName: "node-1",
        interfaces: [{ name: "default" }],
        conditions: [{ type: "Ready", status: "False", reason: "GuestNotRunning" }],
      }),
      ["vmi1", "5m", "Scheduled", null, "node-1", "False", null, null],
    ],
    [
      "running with an IP, ready, migratable, paused",
      obj("VirtualMachineInstance", "vmi2", {}, {
        phase: "Running",
        nodeName: "node-1",
        interfaces: [{ name: "default", ipAddress: "10.244.0.12", ipAddresses: ["10.244.0.12"] }, { ipAddress: "192.168.0.2" }],
        conditions: [
          { type: "LiveMigratable", status: "False", reason: "DisksNotLiveMigratable" },
          { type: "Ready", status: "True" },
          { type: "Paused", status: "True" },
        ],
      }),
      ["vmi2", "5m", "Running", "10.244.0.12", "node-1", "True", "False", "True"],
    ],
    ["empty interfaces list", obj("VirtualMachineInstance", "vmi3", {}, { phase: "Running", interfaces: [] }), ["vmi3", "5m", "Running", null, null, null, null, null]],
  ])("%s", (_name, vmi, want) => {
    expect(virtualMachineInstancePrinter.cells(vmi, NOW)).toEqual(want);
  });
});
