import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { printers } from "./index";

const NOW = new Date("2025-01-01T00:00:00Z");

describe("printers", () => {
  it("covers every kind the server serves", () => {
    expect(Object.keys(printers).sort()).toEqual([
      "ClusterResourceQuota",
      "ClusterRole",
      "ClusterRoleBinding",
      "ConfigMap",
      "Deployment",
      "Event",
      "LimitRange",
      "Namespace",
      "Node",
      "Pod",
      "PodDisruptionBudget",
      "ReplicaSet",
      "ResourceQuota",
      "Role",
      "RoleBinding",
      "Secret",
      "ServiceAccount",
      "VirtualMachine",
      "VirtualMachineInstance",
      "VirtualMachineInstanceMigration",
      "VirtualMachineInstanceReplicaSet",
      "VirtualMachinePool",
    ]);
  });

  it.each(Object.entries(printers))("%s: exactly one Name column and unique column names", (_kind, printer) => {
    const names = printer.columns.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(printer.columns.filter((c) => c.format === "name").map((c) => c.name)).toEqual(["Name"]);
  });

  // Whatever is stored, a printer never throws and fills one cell per column.
  it.each(Object.entries(printers))("%s: one JSON cell per column for arbitrary objects", (kind, printer) => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.jsonValue(), (spec, status, extra) => {
        const obj: KubeObject = { apiVersion: "v1", kind, metadata: { name: "x" }, spec, status, involvedObject: extra, series: extra };
        const cells = printer.cells(obj, NOW);
        expect(cells).toHaveLength(printer.columns.length);
        for (const c of cells) expect(c === null || ["string", "number", "boolean"].includes(typeof c)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
