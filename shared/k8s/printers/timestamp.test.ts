import { describe, expect, it } from "vitest";
import { isZeroTime, parseRfc3339, readTime, translateTimestampSince } from "./timestamp";

describe("parseRfc3339", () => {
  it.each([
    ["2025-01-01T00:00:00Z", Date.UTC(2025, 0, 1)],
    ["2025-01-01T00:00:00.123456Z", Date.UTC(2025, 0, 1) + 123],
    ["2025-01-01T02:30:00+02:30", Date.UTC(2025, 0, 1)],
    ["2024-12-31T23:00:00-01:00", Date.UTC(2025, 0, 1)],
    ["2024-02-29T12:00:00Z", Date.UTC(2024, 1, 29, 12)],
  ])("%s", (input, want) => {
    expect(parseRfc3339(input)).toBe(want);
  });

  it.each(["", "2025-01-01", "2025-01-01 00:00:00Z", "2025-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2025-01-01T24:00:00Z", "2025-01-01T00:00:00", "yesterday"])(
    "rejects %j",
    (input) => {
      expect(parseRfc3339(input)).toBeUndefined();
    },
  );

  it("knows Go's zero time", () => {
    const zero = parseRfc3339("0001-01-01T00:00:00Z");
    expect(zero).toBe(-62135596800000);
    expect(isZeroTime(zero ?? 0)).toBe(true);
    expect(readTime("0001-01-01T00:00:00Z")).toBeUndefined();
  });
});

describe("translateTimestampSince", () => {
  const now = new Date("2025-01-01T01:00:00Z");
  it.each([
    ["2025-01-01T00:00:00Z", "60m"],
    ["2025-01-01T00:59:59.500Z", "0s"],
    ["2025-01-01T01:00:01Z", "0s"],
    ["2025-01-01T01:00:05Z", "<invalid>"],
    [undefined, "<unknown>"],
    [null, "<unknown>"],
    [42, "<unknown>"],
    ["garbage", "<unknown>"],
    ["0001-01-01T00:00:00Z", "<unknown>"],
  ])("%j → %s", (input, want) => {
    expect(translateTimestampSince(input, now)).toBe(want);
  });
});
