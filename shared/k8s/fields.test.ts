import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "./errors";
import {
  escapeFieldValue,
  fieldSelectorFromSet,
  parseFieldSelector,
  unescapeFieldValue,
  unknownFieldSelector,
  unsupportedFieldSelector,
} from "./fields";

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    const err = e as ApiError;
    expect([err.code, err.reason]).toEqual([400, "BadRequest"]);
    return err.message;
  }
  throw new Error("expected a BadRequest");
}

const getter =
  (fields: Record<string, string>) =>
  (f: string): string | undefined =>
    Object.hasOwn(fields, f) ? fields[f] : undefined;

describe("parseFieldSelector: parsed terms", () => {
  it.each<[string, [string, string, string][], string]>([
    ["", [], ""],
    ["metadata.name=web", [["metadata.name", "=", "web"]], "metadata.name=web"],
    ["metadata.name==web", [["metadata.name", "=", "web"]], "metadata.name=web"],
    ["status.phase!=Running", [["status.phase", "!=", "Running"]], "status.phase!=Running"],
    ["b=1,a=2", [["a", "=", "2"], ["b", "=", "1"]], "a=2,b=1"],
    ["a=b,,c=d,", [["a", "=", "b"], ["c", "=", "d"]], "a=b,c=d"],
    ["a=", [["a", "=", ""]], "a="],
    ["=x", [["", "=", "x"]], "=x"],
    [" a = b", [[" a ", "=", " b"]], " a = b"],
    ["a=x\\,y", [["a", "=", "x,y"]], "a=x\\,y"],
    ["a=x\\=y\\\\z", [["a", "=", "x=y\\z"]], "a=x\\=y\\\\z"],
    ["a!=\\,", [["a", "!=", ","]], "a!=\\,"],
    [
      "involvedObject.name=x,involvedObject.namespace=ns,involvedObject.uid=u-1",
      [
        ["involvedObject.name", "=", "x"],
        ["involvedObject.namespace", "=", "ns"],
        ["involvedObject.uid", "=", "u-1"],
      ],
      "involvedObject.name=x,involvedObject.namespace=ns,involvedObject.uid=u-1",
    ],
  ])("%j", (input, terms, canonical) => {
    const sel = parseFieldSelector(input);
    expect(sel.requirements().map((r) => [r.field, r.operator, r.value])).toEqual(terms);
    expect(sel.fields()).toEqual(terms.map((t) => t[0]));
    expect(sel.toString()).toBe(canonical);
    expect(sel.empty()).toBe(terms.length === 0);
  });
});

describe("parseFieldSelector: matching", () => {
  it.each<[string, Record<string, string>, boolean]>([
    ["", {}, true],
    ["metadata.name=web", { "metadata.name": "web" }, true],
    ["metadata.name=web", { "metadata.name": "api" }, false],
    ["metadata.name=web", {}, false],
    ["status.phase!=Running", {}, true],
    ["status.phase!=Running", { "status.phase": "Running" }, false],
    ["status.phase!=Running", { "status.phase": "Pending" }, true],
    ["spec.nodeName=", {}, true],
    ["spec.nodeName=", { "spec.nodeName": "n1" }, false],
    ["a=1,b!=2", { a: "1", b: "3" }, true],
    ["a=1,b!=2", { a: "1", b: "2" }, false],
  ])("%j with %j: %s", (sel, fields, expected) => {
    expect(parseFieldSelector(sel).matches(getter(fields))).toBe(expected);
  });

  it("exposes exact matches for metadata.name", () => {
    const sel = parseFieldSelector("metadata.namespace=ns,metadata.name==web,status.phase!=x");
    expect(sel.requiresExactMatch("metadata.name")).toBe("web");
    expect(sel.requiresExactMatch("metadata.namespace")).toBe("ns");
    expect(sel.requiresExactMatch("status.phase")).toBeUndefined();
    expect(sel.requiresExactMatch("spec.nodeName")).toBeUndefined();
  });
});

describe("parseFieldSelector: errors (upstream messages, 400)", () => {
  it.each([
    ["abc", "invalid selector: 'abc'; can't understand 'abc'"],
    ["a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"],
    ["a=x,y", "invalid selector: 'a=x,y'; can't understand 'y'"],
    ["a=b\\,c,d", "invalid selector: 'a=b\\,c,d'; can't understand 'd'"],
    ["a=x\\y", "invalid field selector: invalid escape sequence: \\y"],
    ["a=x\\", "invalid field selector: invalid escape sequence: \\"],
    ["a=b=c", "invalid field selector: unescaped character in value: 61"],
    ["a!=b=c", "invalid field selector: unescaped character in value: 61"],
    ["a=!=b", "invalid field selector: unescaped character in value: 61"],
    // Terms are sorted before parsing, so the first bad term in sort order is reported.
    ["zzz,a=b\\q", "invalid field selector: invalid escape sequence: \\q"],
  ])("%j", (input, message) => {
    expect(badRequestMessage(() => parseFieldSelector(input))).toBe(message);
  });
});

describe("escaping", () => {
  it("round-trips any value", () => {
    fc.assert(
      fc.property(fc.string(), (v) => {
        expect(unescapeFieldValue(escapeFieldValue(v))).toBe(v);
        expect(parseFieldSelector(`f=${escapeFieldValue(v)}`).requiresExactMatch("f")).toBe(v);
      }),
    );
  });

  it("builds selectors from sets", () => {
    const sel = fieldSelectorFromSet({ "metadata.name": "a,b" });
    expect(sel.toString()).toBe("metadata.name=a\\,b");
    expect(sel.matches(getter({ "metadata.name": "a,b" }))).toBe(true);
  });
});

describe("unsupported field errors", () => {
  it("words them as upstream", () => {
    const e = unsupportedFieldSelector("spec.foo", "virtualmachineinstances");
    expect([e.code, e.reason, e.message]).toEqual([400, "BadRequest", "field label not supported: spec.foo"]);
    const d = unknownFieldSelector("foo.bar");
    expect([d.code, d.reason, d.message]).toEqual([
      400,
      "BadRequest",
      '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ]);
  });
});
