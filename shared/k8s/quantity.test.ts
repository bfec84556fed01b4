import { describe, expect, it } from "vitest";
import { ERR_FORMAT_WRONG, ERR_SUFFIX, isValidQuantity, parseQuantity, QuantityError } from "./quantity";

describe("parseQuantity: values", () => {
  it.each<[string | number, number]>([
    ["0", 0],
    ["1", 1],
    ["2", 2],
    ["500m", 0.5],
    ["100m", 0.1],
    ["1.5", 1.5],
    ["0.25", 0.25],
    [".5", 0.5],
    ["5.", 5],
    ["1.G", 1e9],
    ["007", 7],
    ["-1", -1],
    ["+1", 1],
    ["-500m", -0.5],
    ["-0", 0],
    ["1n", 1e-9],
    ["10n", 1e-8],
    ["1u", 1e-6],
    ["1k", 1000],
    ["1M", 1e6],
    ["1G", 1e9],
    ["1T", 1e12],
    ["1P", 1e15],
    ["1E", 1e18],
    ["1Ki", 1024],
    ["100Ki", 102400],
    ["512Mi", 536870912],
    ["1Gi", 1073741824],
    ["1.5Gi", 1610612736],
    ["0.5Ki", 512],
    ["1Ti", 2 ** 40],
    ["1Pi", 2 ** 50],
    ["1Ei", 2 ** 60],
    ["1e3", 1000],
    ["1E3", 1000],
    ["1e+3", 1000],
    ["1e-3", 0.001],
    ["2.5e2", 250],
    ["1e300", 1e300],
    ["123456789012345678901234567890", 1.2345678901234568e29],
    // Non-zero amounts below a nano-unit round up in magnitude to one, as upstream does.
    ["0.1n", 1e-9],
    ["-0.1n", -1e-9],
    ["1e-12", 1e-9],
    ["1.0000000001", 1.000000001],
    ["0.0000000001", 1e-9],
    // Binary-suffixed amounts are capped at the largest int64.
    ["8Ei", 2 ** 63],
    ["100Ei", 2 ** 63],
    ["1e400", Infinity],
    // Upstream keeps an int64 exponent as int32, so 2^32 wraps to 0.
    ["1e4294967296", 1],
    // Upstream's scanner accepts these as zero.
    ["-", 0],
    ["+", 0],
    [".", 0],
    ["Ki", 0],
    ["m", 0],
    [2, 2],
    [0.5, 0.5],
    [-3, -3],
    [1e21, 1e21],
    [1e-7, 1e-7],
  ])("%j → %d", (input, expected) => {
    expect(parseQuantity(input)).toBe(expected);
  });
});

describe("parseQuantity: malformed values", () => {
  it.each<[string | number, string]>([
    ["", ERR_FORMAT_WRONG],
    [" 1", ERR_FORMAT_WRONG],
    ["1 ", ERR_FORMAT_WRONG],
    ["abc", ERR_FORMAT_WRONG],
    ["1.5.5", ERR_FORMAT_WRONG],
    ["1Kb", ERR_FORMAT_WRONG],
    ["1e3.5", ERR_FORMAT_WRONG],
    ["1,000", ERR_FORMAT_WRONG],
    [NaN, ERR_FORMAT_WRONG],
    [Infinity, ERR_FORMAT_WRONG],
    ["1ki", ERR_SUFFIX],
    ["1KiB", ERR_FORMAT_WRONG],
    ["1e", ERR_SUFFIX],
    ["1e+", ERR_SUFFIX],
    ["1m5", ERR_SUFFIX],
    ["1Mi3", ERR_SUFFIX],
    ["1EE", ERR_SUFFIX],
    ["1mi", ERR_SUFFIX],
    ["--1", ERR_SUFFIX],
    ["1e99999999999999999999", ERR_SUFFIX],
  ])("%j", (input, message) => {
    expect(() => parseQuantity(input)).toThrow(new QuantityError(message));
    expect(isValidQuantity(input)).toBe(false);
  });

  it("uses upstream's messages", () => {
    expect(ERR_FORMAT_WRONG).toBe(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
    expect(ERR_SUFFIX).toBe("unable to parse quantity's suffix");
  });
});

describe("isValidQuantity", () => {
  it.each<[unknown, boolean]>([
    ["1Gi", true],
    ["250m", true],
    [4, true],
    ["1GB", false],
    [null, false],
    [undefined, false],
    [{}, false],
    [true, false],
  ])("%j → %s", (input, expected) => {
    expect(isValidQuantity(input)).toBe(expected);
  });
});
