import { describe, expect, it } from "vitest";
import {
  aggregateErrorString,
  duplicate,
  fieldErrorString,
  forbidden,
  formatBadValue,
  goQuote,
  GoSyntax,
  invalidValue,
  notSupported,
  required,
  tooLong,
} from "./field-errors";

describe("goQuote (strconv.Quote)", () => {
  it.each([
    ["plain", '"plain"'],
    ["", '""'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ["\n\t\r\x07\x08\x0c\x0b", '"\\n\\t\\r\\a\\b\\f\\v"'],
    ["\x01\x7f", '"\\x01\\x7f"'],
    ["é ü 日本", '"é ü 日本"'],
    ["\u00a0", '"\\u00a0"'],
    ["\u00ad", '"\\u00ad"'],
    ["😀", '"😀"'],
    ["\u{e0001}", '"\\U000e0001"'],
    ["\ud800x", '"\ufffdx"'],
  ])("%j → %s", (input, expected) => {
    expect(goQuote(input)).toBe(expected);
  });
});

describe("formatBadValue", () => {
  it.each<[unknown, string]>([
    [null, "null"],
    [undefined, "null"],
    ["x", '"x"'],
    [-1, "-1"],
    [1.5, "1.5"],
    [true, "true"],
    [["a", "b"], '[]string{"a", "b"}'],
    [[], "[]string{}"],
    [{ a: 1 }, '{"a":1}'],
    [[1, 2], "[1,2]"],
    [new GoSyntax("[]string(nil)"), "[]string(nil)"],
  ])("%j → %s", (value, expected) => {
    expect(formatBadValue(value)).toBe(expected);
  });
});

describe("cause constructors", () => {
  it.each([
    [required("metadata.name"), { reason: "FieldValueRequired", message: "Required value", field: "metadata.name" }],
    [
      required("metadata.name", "name or generateName is required"),
      {
        reason: "FieldValueRequired",
        message: "Required value: name or generateName is required",
        field: "metadata.name",
      },
    ],
    [
      invalidValue("metadata.name", "Bad_Name", "bad"),
      { reason: "FieldValueInvalid", message: 'Invalid value: "Bad_Name": bad', field: "metadata.name" },
    ],
    [
      invalidValue("spec.replicas", -1, "must be greater than or equal to 0"),
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: -1: must be greater than or equal to 0",
        field: "spec.replicas",
      },
    ],
    [
      invalidValue("spec.x", "v"),
      { reason: "FieldValueInvalid", message: 'Invalid value: "v"', field: "spec.x" },
    ],
    [
      notSupported("spec.restartPolicy", "Sometimes", ["Always", "OnFailure", "Never"]),
      {
        reason: "FieldValueNotSupported",
        message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        field: "spec.restartPolicy",
      },
    ],
    [
      notSupported("spec.x", "y", []),
      { reason: "FieldValueNotSupported", message: 'Unsupported value: "y"', field: "spec.x" },
    ],
    [
      duplicate("spec.containers[1].name", "web"),
      { reason: "FieldValueDuplicate", message: 'Duplicate value: "web"', field: "spec.containers[1].name" },
    ],
    [
      forbidden("metadata.namespace", "not allowed on this type"),
      { reason: "FieldValueForbidden", message: "Forbidden: not allowed on this type", field: "metadata.namespace" },
    ],
    [forbidden("spec"), { reason: "FieldValueForbidden", message: "Forbidden", field: "spec" }],
    [
      tooLong("metadata.annotations", 262144),
      {
        reason: "FieldValueTooLong",
        message: "Too long: may not be more than 262144 bytes",
        field: "metadata.annotations",
      },
    ],
    [tooLong("x", -1), { reason: "FieldValueTooLong", message: "Too long: value is too long", field: "x" }],
  ])("%#", (actual, expected) => {
    expect(actual).toEqual(expected);
  });
});

describe("error strings", () => {
  it("prints field: body", () => {
    expect(fieldErrorString(required("a.b"))).toBe("a.b: Required value");
  });

  it("aggregates like utilerrors: single bare, several bracketed, duplicates dropped", () => {
    expect(aggregateErrorString([])).toBe("");
    expect(aggregateErrorString([required("a")])).toBe("a: Required value");
    expect(aggregateErrorString([required("a"), required("a")])).toBe("a: Required value");
    expect(aggregateErrorString([required("a"), forbidden("b"), required("a")])).toBe(
      "[a: Required value, b: Forbidden]",
    );
  });
});
