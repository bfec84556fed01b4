import { describe, expect, it } from "vitest";
import { alarmTime, deadlineAfter, MAX_ALARM_MS, MAX_TIME_MS, secondsUntil } from "./deadline";

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);

describe("deadlineAfter", () => {
  it("adds seconds, saturating at 9999-12-31T23:59:59Z for any huge or infinite value", () => {
    expect(deadlineAfter(NOW, 30)).toBe(NOW + 30_000);
    for (const s of [9999999999999, 2 ** 53, 1e300, Infinity]) {
      expect(deadlineAfter(NOW, s)).toBe(MAX_TIME_MS);
      expect(new Date(deadlineAfter(NOW, s)).toISOString()).toBe("9999-12-31T23:59:59.000Z");
    }
  });
  it("treats zero, negative and NaN as now", () => {
    for (const s of [0, -5, NaN, -Infinity]) expect(deadlineAfter(NOW, s)).toBe(NOW);
  });
});

describe("secondsUntil and alarmTime", () => {
  it("are finite and bounded for any deadline", () => {
    expect(secondsUntil(NOW + 1500, NOW)).toBe(2);
    expect(secondsUntil(NOW - 1, NOW)).toBe(0);
    expect(secondsUntil(NaN, NOW)).toBe(0);
    expect(Number.isFinite(secondsUntil(Infinity, NOW))).toBe(true);
    expect(alarmTime(MAX_TIME_MS)).toBe(MAX_ALARM_MS);
    expect(alarmTime(NOW)).toBe(NOW);
  });
});
