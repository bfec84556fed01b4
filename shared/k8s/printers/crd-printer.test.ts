import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { crdPrinter } from "./crd-printer";

const NOW = new Date("2025-01-01T01:00:00Z");

function cr(status: Record<string, unknown>): KubeObject {
  return { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w1", creationTimestamp: "2025-01-01T00:00:00Z" }, status };
}

/** The single cell a one-column printer of `type` makes from `.status.v` holding `value`. */
function cell(type: "string" | "integer" | "number" | "boolean" | "date", value: unknown): unknown {
  return crdPrinter([{ name: "V", type, jsonPath: ".status.v" }]).cells(cr({ v: value }), NOW)[1];
}

describe("crdPrinter", () => {
  it("prepends Name and fills descriptions like the CRD table convertor", () => {
    const printer = crdPrinter([
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
      { name: "Size", type: "integer", jsonPath: ".spec.size", description: "How big", priority: 1, format: "int32" },
    ]);
    expect(printer.columns.slice(1)).toEqual([
      { name: "Age", type: "date", format: "", description: "Custom resource definition column (in JSONPath format): .metadata.creationTimestamp", priority: 0 },
      { name: "Size", type: "integer", format: "int32", description: "How big", priority: 1 },
    ]);
    expect(printer.columns[0]).toMatchObject({ name: "Name", type: "string", format: "name", priority: 0 });
  });

  it("fails fast on a path it cannot parse", () => {
    expect(() => crdPrinter([{ name: "X", type: "string", jsonPath: "{.status}" }])).toThrow('unrecognized column definition "{.status}"');
  });

  it.each<[string, unknown, unknown]>([
    ["a string", "Running", "Running"],
    ["an integer", 3, "3"],
    ["a fraction", 1.5, "1.5"],
    ["a large fraction in Go's %v form", 1234567.5, "1.2345675e+06"],
    ["a small fraction in Go's %v form", 0.00001, "1e-05"],
    ["a boolean", true, "true"],
    ["null", null, "<no value>"],
    ["a map as sorted, HTML-escaped JSON", { b: 1, a: ["<x>", "&"] }, '{"a":["\\u003cx\\u003e","\\u0026"],"b":1}'],
  ])("string column with %s", (_name, value, want) => {
    expect(cell("string", value)).toEqual(want);
  });

  it.each<[string, "integer" | "number" | "boolean", unknown, unknown]>([
    ["integer", "integer", 3, 3],
    ["integer truncates a fraction", "integer", 2.7, 2],
    ["integer rejects a string", "integer", "3", null],
    ["integer of null", "integer", null, null],
    ["number", "number", 2.5, 2.5],
    ["number rejects a bool", "number", true, null],
    ["boolean", "boolean", false, false],
    ["boolean rejects a string", "boolean", "true", null],
  ])("%s", (_name, type, value, want) => {
    expect(cell(type, value)).toEqual(want);
  });

  it.each<[unknown, unknown]>([
    ["2025-01-01T00:59:00Z", "60s"],
    ["2024-12-30T01:00:00Z", "2d"],
    ["", "<unknown>"],
    ["null", "<unknown>"],
    ["0001-01-01T00:00:00Z", "<unknown>"],
    ["yesterday", "<invalid>"],
    [12345, null],
    [null, null],
  ])("date column from %j", (value, want) => {
    expect(cell("date", value)).toEqual(want);
  });

  it("gives null for a missing value and for an evaluation error", () => {
    const printer = crdPrinter([
      { name: "Missing", type: "string", jsonPath: ".status.nope" },
      { name: "OutOfRange", type: "string", jsonPath: ".status.list[3]" },
      { name: "First", type: "string", jsonPath: ".status.list[0]" },
    ]);
    expect(printer.cells(cr({ list: ["a"] }), NOW)).toEqual(["w1", null, null, "a"]);
  });
});
