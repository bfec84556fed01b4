import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { namespacePrinter } from "./namespace";
import { asPartialObjectMetadata, toTable } from "./table";

const NOW = new Date("2025-01-01T00:05:00Z");

const ns: KubeObject = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: {
    name: "team-a",
    uid: "u1",
    resourceVersion: "104",
    creationTimestamp: "2025-01-01T00:00:00Z",
    labels: { team: "a" },
    managedFields: [{ manager: "kubectl-create", operation: "Update" }],
  },
  spec: { finalizers: ["kubernetes"] },
  status: { phase: "Active" },
};

const base = { now: NOW, resourceVersion: "105" };

describe("toTable", () => {
  it("builds the Table kubectl expects, with PartialObjectMetadata rows by default", () => {
    const table = toTable(namespacePrinter, [ns], { ...base, includeObject: "Metadata" });
    // Key order matters only for readability, but matches upstream's encoding.
    expect(JSON.stringify(table)).toBe(
      JSON.stringify({
        kind: "Table",
        apiVersion: "meta.k8s.io/v1",
        metadata: { resourceVersion: "105" },
        columnDefinitions: namespacePrinter.columns,
        rows: [
          {
            cells: ["team-a", "Active", "5m"],
            object: {
              kind: "PartialObjectMetadata",
              apiVersion: "meta.k8s.io/v1",
              metadata: { name: "team-a", uid: "u1", resourceVersion: "104", creationTimestamp: "2025-01-01T00:00:00Z", labels: { team: "a" } },
            },
          },
        ],
      }),
    );
    expect(table.columnDefinitions?.[0]).toEqual({
      name: "Name",
      type: "string",
      format: "name",
      description: expect.stringMatching(/^Name must be unique/),
      priority: 0,
    });
  });

  it("carries the full object for includeObject=Object and none for None", () => {
    const full = toTable(namespacePrinter, [ns], { ...base, includeObject: "Object" });
    expect(full.rows[0]?.object).toBe(ns);
    const none = toTable(namespacePrinter, [ns], { ...base, includeObject: "None" });
    expect(none.rows[0]).toEqual({ cells: ["team-a", "Active", "5m"] });
    expect("object" in (none.rows[0] ?? {})).toBe(false);
  });

  it("sends null column definitions when asked (watch events after the first)", () => {
    const table = toTable(namespacePrinter, [ns], { ...base, includeObject: "Metadata", omitColumns: true });
    expect(table.columnDefinitions).toBeNull();
    expect(JSON.stringify(table)).toContain('"columnDefinitions":null');
  });

  it("fills list metadata only where set, keeping a zero remainingItemCount", () => {
    expect(toTable(namespacePrinter, [], { ...base, includeObject: "Metadata", continueToken: "abc", remainingItemCount: 0 }).metadata).toEqual({
      resourceVersion: "105",
      continue: "abc",
      remainingItemCount: 0,
    });
    expect(toTable(namespacePrinter, [], { now: NOW, resourceVersion: "", continueToken: "", includeObject: "None" }).metadata).toEqual({});
  });

  it("keeps rows in input order and an empty list as an empty rows array", () => {
    const other: KubeObject = { ...ns, metadata: { name: "team-b" }, status: { phase: "Terminating" } };
    const table = toTable(namespacePrinter, [other, ns], { ...base, includeObject: "None" });
    expect(table.rows.map((r) => r.cells[0])).toEqual(["team-b", "team-a"]);
    expect(toTable(namespacePrinter, [], { ...base, includeObject: "None" }).rows).toEqual([]);
  });
});

describe("asPartialObjectMetadata", () => {
  it("drops managedFields without touching the object", () => {
    const partial = asPartialObjectMetadata(ns);
    expect(partial.metadata.managedFields).toBeUndefined();
    expect(ns.metadata.managedFields).toHaveLength(1);
    expect(partial.metadata.labels).toEqual({ team: "a" });
  });
});
