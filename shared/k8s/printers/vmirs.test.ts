import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { virtualMachineInstanceReplicaSetPrinter } from "./vmirs";

const NOW = new Date("2025-01-01T00:05:00Z");

function obj(kind: string, name: string, spec: unknown, status: unknown): KubeObject {
  return { apiVersion: "kubevirt.io/v1", kind, metadata: { name, namespace: "default", creationTimestamp: "2025-01-01T00:00:00Z" }, spec, status };
}

describe("virtualMachineInstanceReplicaSetPrinter", () => {
  it("has KubeVirt's columns and descriptions", () => {
    expect(virtualMachineInstanceReplicaSetPrinter.columns.map((c) => [c.name, c.type, c.description])).toEqual([
      ["Name", "string", expect.stringContaining("Name must be unique")],
      ["Desired", "integer", "Number of desired VirtualMachineInstances"],
      ["Current", "integer", "Number of managed and not final or deleted VirtualMachineInstances"],
      ["Ready", "integer", "Number of managed VirtualMachineInstances which are ready to receive traffic"],
      ["Age", "date", "Custom resource definition column (in JSONPath format): .metadata.creationTimestamp"],
    ]);
  });

  it.each<[string, KubeObject, unknown[]]>([
    ["scaling up", obj("VirtualMachineInstanceReplicaSet", "rs1", { replicas: 3 }, { replicas: 2, readyReplicas: 1 }), ["rs1", 3, 2, 1, "5m"]],
    ["new, no status", obj("VirtualMachineInstanceReplicaSet", "rs2", { replicas: 2 }, undefined), ["rs2", 2, null, null, "5m"]],
    ["replicas unset", obj("VirtualMachineInstanceReplicaSet", "rs3", {}, { replicas: 0 }), ["rs3", null, 0, null, "5m"]],
  ])("%s", (_name, rs, want) => {
    expect(virtualMachineInstanceReplicaSetPrinter.cells(rs, NOW)).toEqual(want);
  });
});
