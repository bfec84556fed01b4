import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "./errors";
import {
  everything,
  formatLabelSelector,
  labelSelectorFromObject,
  nothing,
  parseLabelSelector,
  selectorFromSet,
  validateLabelSelectorObject,
  type LabelSelector,
} from "./labels";

const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** Runs `fn`, expecting a 400 BadRequest ApiError; returns its message. */
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

describe("parseLabelSelector: canonical string", () => {
  it.each([
    ["", ""],
    ["a=b", "a=b"],
    ["a==b", "a==b"],
    ["a!=b", "a!=b"],
    ["a in (x,y)", "a in (x,y)"],
    ["a notin (y,x)", "a notin (x,y)"],
    ["a", "a"],
    ["!a", "!a"],
    ["a>1", "a>1"],
    ["a<10", "a<10"],
    ["  a = b ,\tc in ( y , x )\n", "a=b,c in (x,y)"],
    ["z=1,a=2,m", "a=2,m,z=1"],
    ["a in (b,a,b)", "a in (a,b)"],
    ["a in ()", "a in ()"],
    ["a in (,)", "a in ()"],
    ["a in (x,,y)", "a in (,x,y)"],
    ["a in (x,,)", "a in (,x)"],
    ["a=", "a="],
    ["a==", "a=="],
    ["in in (in,notin)", "in in (in,notin)"],
    ["x=in", "x=in"],
    ["example.com/app=web,!example.com/legacy", "example.com/app=web,!example.com/legacy"],
    ["a!=b,a!=c", "a!=b,a!=c"],
  ])("%j → %j", (input, expected) => {
    expect(parseLabelSelector(input).toString()).toBe(expected);
  });
});

describe("parseLabelSelector: matching", () => {
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ["", undefined, true],
    ["", { a: "b" }, true],
    ["a=b", { a: "b" }, true],
    ["a=b", { a: "c" }, false],
    ["a=b", {}, false],
    ["a=b", undefined, false],
    ["a==b", { a: "b", x: "y" }, true],
    ["a!=b", { a: "b" }, false],
    ["a!=b", { a: "c" }, true],
    ["a!=b", {}, true],
    ["a!=b", undefined, true],
    ["a in (x,y)", { a: "y" }, true],
    ["a in (x,y)", { a: "z" }, false],
    ["a in (x,y)", {}, false],
    ["a notin (x,y)", { a: "x" }, false],
    ["a notin (x,y)", { a: "z" }, true],
    ["a notin (x,y)", {}, true],
    ["a", { a: "" }, true],
    ["a", {}, false],
    ["!a", {}, true],
    ["!a", { a: "" }, false],
    ["a>1", { a: "2" }, true],
    ["a>1", { a: "1" }, false],
    ["a>1", { a: "x" }, false],
    ["a>1", {}, false],
    ["a<1", { a: "0" }, true],
    ["a<1", { a: "1" }, false],
    ["a>9223372036854775806", { a: "9223372036854775807" }, true],
    ["a>1", { a: "99999999999999999999" }, false],
    ["a in ()", { a: "" }, true],
    ["a=", { a: "" }, true],
    ["a=", {}, false],
    ["toString", {}, false],
    ["a=b,c", { a: "b", c: "" }, true],
    ["a=b,c", { a: "b" }, false],
  ];
  it.each(cases)("%j matches %j: %s", (sel, labels, expected) => {
    expect(parseLabelSelector(sel).matches(labels)).toBe(expected);
  });

  it("reports empty and exact matches", () => {
    expect(parseLabelSelector("").empty()).toBe(true);
    expect(parseLabelSelector("a").empty()).toBe(false);
    const sel = parseLabelSelector("a=1,b in (2),c in (3,4),d!=5,e==6");
    expect(["a", "b", "c", "d", "e", "f"].map((k) => sel.requiresExactMatch(k))).toEqual([
      "1",
      "2",
      undefined,
      undefined,
      "6",
      undefined,
    ]);
    expect(sel.requirements().map((r) => [r.key, r.operator, r.values])).toEqual([
      ["a", "=", ["1"]],
      ["b", "in", ["2"]],
      ["c", "in", ["3", "4"]],
      ["d", "!=", ["5"]],
      ["e", "==", ["6"]],
    ]);
  });
});

describe("parseLabelSelector: errors (upstream messages, 400)", () => {
  it.each([
    ["a in (", "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ["a=b,", "found '', expected: identifier after ','"],
    ["a in (x),,b", "found ',', expected: identifier after ','"],
    ["a=b c", "found 'c', expected: ',' or 'end of string'"],
    ["a=b=c", "found '=', expected: ',' or 'end of string'"],
    ["!a=b", "found '=', expected: ',' or 'end of string'"],
    ["a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    [",a", "found ',', expected: !, identifier, or 'end of string'"],
    ["=a", "found '=', expected: !, identifier, or 'end of string'"],
    ["!", "unable to parse requirement: found '', expected: identifier"],
    ["a in x", "unable to parse requirement: found 'x' expected: '('"],
    ["a in (x", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["a in (x y)", "unable to parse requirement: found 'y', expected: ',' or ')'"],
    ["a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ["a in (x,=)", "unable to parse requirement: found '=', expected: ',', or identifier"],
    ["a=(b)", "unable to parse requirement: found '(', expected: identifier"],
    ["a===b", "unable to parse requirement: found '=', expected: identifier"],
    [
      "a>b",
      `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      "a>",
      `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    ["-bad=x", `unable to parse requirement: <nil>: Invalid value: "-bad": ${NAME_PART}`],
    ["a=-b", `unable to parse requirement: values[0][a]: Invalid value: "-b": ${LABEL_VALUE}`],
    [
      "a<-1",
      `unable to parse requirement: values[0][a]: Invalid value: "-1": ${LABEL_VALUE}`,
    ],
    [
      "a>x_",
      `unable to parse requirement: [values[0]: Invalid value: "x_": for 'Gt', 'Lt' operators, the value must be an integer, values[0][a]: Invalid value: "x_": ${LABEL_VALUE}]`,
    ],
  ])("%j", (input, message) => {
    expect(badRequestMessage(() => parseLabelSelector(input))).toBe(message);
  });
});

describe("labelSelectorFromObject (LabelSelectorAsSelector)", () => {
  it("matches nothing for a missing selector and everything for {}", () => {
    for (const sel of [labelSelectorFromObject(undefined), labelSelectorFromObject(null), nothing()]) {
      expect([sel.matches({ a: "b" }), sel.matches(undefined), sel.empty(), sel.toString()]).toEqual([
        false,
        false,
        false,
        "",
      ]);
    }
    for (const sel of [labelSelectorFromObject({}), labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }), everything()]) {
      expect([sel.matches({ a: "b" }), sel.matches(undefined), sel.empty(), sel.toString()]).toEqual([true, true, true, ""]);
    }
  });

  const web: LabelSelector = {
    matchLabels: { tier: "front", app: "web" },
    matchExpressions: [
      { key: "env", operator: "In", values: ["prod", "dev"] },
      { key: "track", operator: "NotIn", values: ["canary"] },
      { key: "team", operator: "Exists" },
      { key: "legacy", operator: "DoesNotExist", values: [] },
    ],
  };

  it("converts and formats like upstream", () => {
    expect(formatLabelSelector(web)).toBe("app=web,env in (dev,prod),!legacy,team,tier=front,track notin (canary)");
    expect(formatLabelSelector({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["b", "a"] }] })).toBe(
      "app=web,tier in (a,b)",
    );
    expect(formatLabelSelector(undefined)).toBe("");
  });

  it.each<[Record<string, string>, boolean]>([
    [{ app: "web", tier: "front", env: "prod", team: "x" }, true],
    [{ app: "web", tier: "front", env: "prod", team: "x", track: "stable" }, true],
    [{ app: "web", tier: "front", env: "prod", team: "x", track: "canary" }, false],
    [{ app: "web", tier: "front", env: "qa", team: "x" }, false],
    [{ app: "web", tier: "front", env: "prod" }, false],
    [{ app: "web", tier: "front", env: "prod", team: "x", legacy: "1" }, false],
    [{ app: "api", tier: "front", env: "prod", team: "x" }, false],
  ])("matches %j: %s", (labels, expected) => {
    expect(labelSelectorFromObject(web).matches(labels)).toBe(expected);
  });

  it.each<[LabelSelector, string]>([
    [{ matchExpressions: [{ key: "a", operator: "Foo" }] }, '"Foo" is not a valid label selector operator'],
    [{ matchExpressions: [{ key: "a", operator: "toString" }] }, '"toString" is not a valid label selector operator'],
    [
      { matchExpressions: [{ key: "a", operator: "In" }] },
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] },
      `values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist`,
    ],
    [{ matchLabels: { "-a": "x" } }, `key: Invalid value: "-a": ${NAME_PART}`],
    [{ matchLabels: { app: "-x" } }, `values[0][app]: Invalid value: "-x": ${LABEL_VALUE}`],
    [
      { matchExpressions: [{ key: "-a", operator: "NotIn", values: [] }] },
      `[key: Invalid value: "-a": ${NAME_PART}, values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty]`,
    ],
  ])("rejects %j", (sel, message) => {
    expect(badRequestMessage(() => labelSelectorFromObject(sel))).toBe(message);
  });
});

describe("selectorFromSet", () => {
  it("requires every entry and sorts by key", () => {
    const sel = selectorFromSet({ b: "2", a: "1" });
    expect(sel.toString()).toBe("a=1,b=2");
    expect(sel.matches({ a: "1", b: "2", c: "3" })).toBe(true);
    expect(sel.matches({ a: "1" })).toBe(false);
    expect(selectorFromSet(undefined).empty()).toBe(true);
  });
});

describe("validateLabelSelectorObject", () => {
  const p = "spec.selector";
  it.each<[LabelSelector | undefined, { field: string; reason: string; message: string }[]]>([
    [undefined, []],
    [{}, []],
    [{ matchLabels: { app: "web" }, matchExpressions: [{ key: "a", operator: "In", values: ["x"] }] }, []],
    [
      { matchLabels: { "bad key": "v" } },
      [{ field: `${p}.matchLabels`, reason: "FieldValueInvalid", message: `Invalid value: "bad key": ${NAME_PART}` }],
    ],
    [
      { matchExpressions: [{ key: "a", operator: "NotIn", values: [] }] },
      [
        {
          field: `${p}.matchExpressions[0].values`,
          reason: "FieldValueRequired",
          message: "Required value: must be specified when `operator` is 'In' or 'NotIn'",
        },
      ],
    ],
    [
      { matchExpressions: [{ key: "a", operator: "Exists" }, { key: "b", operator: "DoesNotExist", values: ["x"] }] },
      [
        {
          field: `${p}.matchExpressions[1].values`,
          reason: "FieldValueForbidden",
          message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        },
      ],
    ],
    [
      { matchExpressions: [{ key: "-a", operator: "in", values: ["ok", "not ok"] }] },
      [
        { field: `${p}.matchExpressions[0].operator`, reason: "FieldValueInvalid", message: 'Invalid value: "in": not a valid selector operator' },
        { field: `${p}.matchExpressions[0].key`, reason: "FieldValueInvalid", message: `Invalid value: "-a": ${NAME_PART}` },
        { field: `${p}.matchExpressions[0].values[1]`, reason: "FieldValueInvalid", message: `Invalid value: "not ok": ${LABEL_VALUE}` },
      ],
    ],
  ])("%j", (sel, expected) => {
    expect(validateLabelSelectorObject(sel, p)).toEqual(expected);
  });
});

describe("round trip", () => {
  const token = fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,6}[a-z0-9])?$/);
  const requirement = fc.oneof(
    fc.tuple(token, fc.constantFrom("=", "==", "!="), token).map(([k, op, v]) => `${k}${op}${v}`),
    fc.tuple(token, fc.constantFrom(" in ", " notin "), fc.array(token, { minLength: 1, maxLength: 3 })).map(
      ([k, op, vs]) => `${k}${op}(${vs.join(",")})`,
    ),
    fc.tuple(fc.constantFrom("", "!"), token).map(([neg, k]) => `${neg}${k}`),
    fc.tuple(token, fc.constantFrom(">", "<"), fc.nat()).map(([k, op, n]) => `${k}${op}${n}`),
  );

  it("parsing the canonical string gives the same selector", () => {
    fc.assert(
      fc.property(fc.array(requirement, { maxLength: 4 }), fc.dictionary(token, token), (reqs, labels) => {
        const sel = parseLabelSelector(reqs.join(","));
        const again = parseLabelSelector(sel.toString());
        expect(again.toString()).toBe(sel.toString());
        expect(again.matches(labels)).toBe(sel.matches(labels));
      }),
    );
  });
});
