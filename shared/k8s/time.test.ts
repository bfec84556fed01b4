import { describe, expect, it } from "vitest";
import { formatMicroTime, formatTime } from "./time";

describe("formatTime and formatMicroTime", () => {
  it("write whole seconds and microseconds in UTC", () => {
    const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    expect(formatTime(ms)).toBe("2026-01-02T03:04:05Z");
    expect(formatMicroTime(ms)).toBe("2026-01-02T03:04:05.678000Z");
  });
  it("saturate instead of throwing for times no RFC 3339 year can show", () => {
    for (const ms of [Date.now() + 9999999999999 * 1000, 8.64e15 + 1, 1e300, Infinity]) {
      expect(formatTime(ms)).toBe("9999-12-31T23:59:59Z");
      expect(formatMicroTime(ms)).toBe("9999-12-31T23:59:59.000000Z");
    }
    for (const ms of [-1e300, -Infinity, NaN]) expect(formatTime(ms)).toBe("0001-01-01T00:00:00Z");
  });
});
