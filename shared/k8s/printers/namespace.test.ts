import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { namespacePrinter } from "./namespace";

const NOW = new Date("2025-01-01T00:10:00Z");

function ns(status: unknown): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a", creationTimestamp: "2025-01-01T00:00:00Z" }, status };
}

describe("namespacePrinter", () => {
  it("has Name, Status, Age", () => {
    expect(namespacePrinter.columns.map((c) => c.name)).toEqual(["Name", "Status", "Age"]);
    expect(namespacePrinter.columns[1]?.description).toBe("The status of the namespace");
  });

  it.each<[unknown, unknown[]]>([
    [{ phase: "Active" }, ["team-a", "Active", "10m"]],
    [{ phase: "Terminating" }, ["team-a", "Terminating", "10m"]],
    [undefined, ["team-a", "", "10m"]],
  ])("status %j", (status, want) => {
    expect(namespacePrinter.cells(ns(status), NOW)).toEqual(want);
  });
});
