import { describe, expect, it } from "vitest";
import { serviceAccountPrinter } from "./serviceaccount";

describe("serviceAccountPrinter", () => {
  it("prints name, the number of secrets and the age, as upstream's printServiceAccount", () => {
    const now = new Date("2026-01-01T01:00:00Z");
    const sa = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ci", creationTimestamp: "2026-01-01T00:00:00Z" }, secrets: [{ name: "a" }] };
    expect(serviceAccountPrinter.columns.map((c) => [c.name, c.type])).toEqual([["Name", "string"], ["Secrets", "string"], ["Age", "string"]]);
    expect(serviceAccountPrinter.cells(sa, now)).toEqual(["ci", 1, "60m"]);
    expect(serviceAccountPrinter.cells({ ...sa, secrets: undefined }, now)[1]).toBe(0);
  });
});
