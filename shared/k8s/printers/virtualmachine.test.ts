import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { virtualMachinePrinter } from "./virtualmachine";

const NOW = new Date("2025-01-01T00:05:00Z");

function obj(kind: string, name: string, spec: unknown, status: unknown): KubeObject {
  return { apiVersion: "kubevirt.io/v1", kind, metadata: { name, namespace: "default", creationTimestamp: "2025-01-01T00:00:00Z" }, spec, status };
}

describe("virtualMachinePrinter", () => {
  it("has KubeVirt's columns", () => {
    expect(virtualMachinePrinter.columns.map((c) => [c.name, c.type, c.priority, c.description.slice(0, 40)])).toEqual([
      ["Name", "string", 0, "Name must be unique within a namespace. "],
      ["Age", "date", 0, "Custom resource definition column (in JS"],
      ["Status", "string", 0, "Human Readable Status"],
      ["Ready", "string", 0, "Custom resource definition column (in JS"],
    ]);
  });

  it.each<[string, KubeObject, unknown[]]>([
    [
      "running and ready",
      obj("VirtualMachine", "vm1", { runStrategy: "Always" }, { printableStatus: "Running", ready: true, conditions: [{ type: "Ready", status: "True" }] }),
      ["vm1", "5m", "Running", "True"],
    ],
    ["stopped, no conditions", obj("VirtualMachine", "vm2", { runStrategy: "Halted" }, { printableStatus: "Stopped" }), ["vm2", "5m", "Stopped", null]],
    ["no status yet", obj("VirtualMachine", "vm3", {}, undefined), ["vm3", "5m", null, null]],
  ])("%s", (_name, vm, want) => {
    expect(virtualMachinePrinter.cells(vm, NOW)).toEqual(want);
  });
});
