import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyMergePatch, createMergePatch } from "./merge-patch";
import { isJsonObject, type Json } from "./object";

/** RFC 7386 Appendix A, every row. */
const RFC_7386_EXAMPLES: [original: Json, patch: Json, result: Json][] = [
  [{ a: "b" }, { a: "c" }, { a: "c" }],
  [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  [{ a: "b" }, { a: null }, {}],
  [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
  [{ a: ["b"] }, { a: "c" }, { a: "c" }],
  [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
  [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  [["a", "b"], ["c", "d"], ["c", "d"]],
  [{ a: "b" }, ["c"], ["c"]],
  [{ a: "foo" }, null, null],
  [{ a: "foo" }, "bar", "bar"],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: "b", c: null }, { a: "b" }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

/** Strips null members from objects: RFC 7386 cannot carry them in a patch. */
function withoutNullMembers(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutNullMembers);
  if (!isJsonObject(value)) return value;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNullMembers(v);
  return out;
}

const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>;
const jsonObject = fc.dictionary(fc.string({ maxLength: 4 }), json, { maxKeys: 5 }) as fc.Arbitrary<Json>;

describe("applyMergePatch", () => {
  it.each(RFC_7386_EXAMPLES)("RFC 7386: %j + %j", (original, patch, result) => {
    expect(applyMergePatch(original, patch)).toEqual(result);
  });

  it("merges Kubernetes-shaped objects: scale, label removal, annotation add", () => {
    const rs = {
      metadata: { name: "web", labels: { app: "web", tier: "fe" } },
      spec: { replicas: 1, template: { spec: { containers: [{ name: "web", image: "nginx" }] } } },
    };
    const patch = { metadata: { labels: { tier: null }, annotations: { note: "x" } }, spec: { replicas: 3 } };
    expect(applyMergePatch(rs, patch)).toEqual({
      metadata: { name: "web", labels: { app: "web" }, annotations: { note: "x" } },
      spec: { replicas: 3, template: { spec: { containers: [{ name: "web", image: "nginx" }] } } },
    });
  });

  it("does not mutate its inputs nor share structure with them", () => {
    const target: Json = { a: { b: [1, { c: 2 }] }, d: 1 };
    const patch: Json = { a: { e: { f: 1 } }, d: null };
    const result = applyMergePatch(target, patch);
    expect(target).toEqual({ a: { b: [1, { c: 2 }] }, d: 1 });
    expect(patch).toEqual({ a: { e: { f: 1 } }, d: null });
    (((result as { a: { e: { f: number } } }).a.e).f = 9);
    expect(patch).toEqual({ a: { e: { f: 1 } }, d: null });
  });

  it("keeps a __proto__ member as data", () => {
    const patch = JSON.parse('{"__proto__":{"polluted":1}}') as Json;
    const result = applyMergePatch({}, patch) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });

  it("property: applying a patch twice equals applying it once", () => {
    fc.assert(
      fc.property(json, json, (target, patch) => {
        const once = applyMergePatch(target, patch);
        expect(applyMergePatch(once, patch)).toEqual(once);
      }),
    );
  });

  it("property: a non-object patch replaces the target", () => {
    const nonObject = json.filter((v) => !isJsonObject(v));
    fc.assert(
      fc.property(json, nonObject, (target, patch) => {
        expect(applyMergePatch(target, patch)).toEqual(patch);
      }),
    );
  });

  it("property: inputs are left unchanged", () => {
    fc.assert(
      fc.property(json, json, (target, patch) => {
        const before = [structuredClone(target), structuredClone(patch)];
        applyMergePatch(target, patch);
        expect([target, patch]).toEqual(before);
      }),
    );
  });

  it("property: createMergePatch(a, b) applied to a gives b", () => {
    fc.assert(
      fc.property(json, json.map(withoutNullMembers), (a, b) => {
        expect(applyMergePatch(a, createMergePatch(a, b))).toEqual(b);
      }),
    );
    fc.assert(
      fc.property(jsonObject, jsonObject.map(withoutNullMembers), (a, b) => {
        expect(applyMergePatch(a, createMergePatch(a, b))).toEqual(b);
      }),
    );
  });
});

describe("createMergePatch", () => {
  it.each<[string, Json, Json, Json]>([
    ["unchanged objects give an empty patch", { a: 1, b: { c: [1] } }, { a: 1, b: { c: [1] } }, {}],
    ["removed members become null", { a: 1, b: 2 }, { a: 1 }, { b: null }],
    ["nested changes are diffed", { s: { r: 1, k: "x" } }, { s: { r: 3, k: "x" } }, { s: { r: 3 } }],
    ["arrays are sent whole", { l: [1, 2, 3] }, { l: [1, 3] }, { l: [1, 3] }],
    ["object → scalar replaces", { a: { b: 1 } }, { a: 2 }, { a: 2 }],
    ["scalar → object is sent whole", { a: 2 }, { a: { b: 1 } }, { a: { b: 1 } }],
    ["non-object target is replaced", [1], { a: 1 }, { a: 1 }],
    ["non-object result is the patch", { a: 1 }, "x", "x"],
  ])("%s", (_name, from, to, patch) => {
    expect(createMergePatch(from, to)).toEqual(patch);
  });
});
