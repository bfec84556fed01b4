import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, ElementIndex } from "./element-index";
import { indexOfElement } from "./strategic-merge-patch-directives";
import { jsonEqual } from "./json-value";
import type { Json } from "./object";

const json = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;

describe("canonicalJson", () => {
  it("is equal for two values exactly when jsonEqual holds", () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(canonicalJson(a) === canonicalJson(b)).toBe(jsonEqual(a, b));
      }),
      { seed: 20261202, numRuns: 500 },
    );
  });

  it("ignores the order of object keys", () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }));
  });
});

describe("ElementIndex", () => {
  const elements = fc.array(
    fc.oneof(fc.record({ name: fc.constantFrom("a", "b", "c") }, { requiredKeys: [] }), fc.constantFrom("a", "b", 1)),
    { maxLength: 12 },
  ) as fc.Arbitrary<Json[]>;

  it("finds what indexOfElement finds, by merge key and by whole element", () => {
    fc.assert(
      fc.property(elements, elements, fc.constantFrom(undefined, "name"), (list, probes, mergeKey) => {
        const index = new ElementIndex(list, mergeKey);
        for (const p of probes) expect(index.indexOf(p)).toBe(indexOfElement(list, p, mergeKey));
      }),
      { seed: 20261202, numRuns: 300 },
    );
  });

  it("keeps the first position of an identity when more are added", () => {
    const index = new ElementIndex([{ name: "a" }], "name");
    index.add({ name: "a", image: "x" }, 1);
    index.add({ name: "b" }, 2);
    expect(index.indexOf({ name: "a" })).toBe(0);
    expect(index.indexOf({ name: "b" })).toBe(2);
    expect(index.indexOf({ image: "x" })).toBe(-1);
  });
});
