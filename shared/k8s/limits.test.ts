import { describe, expect, it } from "vitest";
import { jsonSizeWithin, jsonTextTooDeep, utf8Length, valueTooDeep } from "./limits";

describe("jsonTextTooDeep", () => {
  it("counts objects and arrays outside strings only", () => {
    expect(jsonTextTooDeep("[[[]]]", 3)).toBe(false);
    expect(jsonTextTooDeep("[[[[]]]]", 3)).toBe(true);
    expect(jsonTextTooDeep('{"a":"[[[[{{{{","b":["\\"[[[["]}', 2)).toBe(false);
    expect(jsonTextTooDeep('{"a\\\\":[[{}]]}', 3)).toBe(true);
  });

  it("scans 20,000 levels without recursion", () => {
    expect(jsonTextTooDeep("[".repeat(20_000) + "]".repeat(20_000))).toBe(true);
  });
});

describe("valueTooDeep", () => {
  it("walks iteratively and counts the top level as 1", () => {
    let v: unknown = {};
    for (let i = 0; i < 50_000; i++) v = [v];
    expect(valueTooDeep(v)).toBe(true);
    expect(valueTooDeep({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(valueTooDeep({ a: [{ b: {} }] }, 3)).toBe(true);
    expect(valueTooDeep("scalar", 0)).toBe(false);
  });
});

describe("jsonSizeWithin", () => {
  it("matches JSON.stringify for values without escapes", () => {
    const v = { a: [1, true, null, "xé"], b: { c: "d" }, e: [] };
    expect(jsonSizeWithin(v, 1e9)).toBe(utf8Length(JSON.stringify(v)));
  });

  it("stops as soon as the budget is passed", () => {
    const big = Array.from({ length: 1000 }, () => ["x".repeat(1000)]);
    const size = jsonSizeWithin(big, 5000);
    expect(size).toBeGreaterThan(5000);
    expect(size).toBeLessThan(10_000);
  });
});

describe("utf8Length", () => {
  it("counts UTF-8 bytes", () => {
    for (const s of ["abc", "é", "€", "😀", "a😀é€"]) expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
    expect(utf8Length("\ud800")).toBe(3);
  });
});
