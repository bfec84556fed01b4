import { describe, expect, it } from "vitest";
import { parseGoDuration } from "./go-duration";

describe("parseGoDuration (Go's time.ParseDuration)", () => {
  it("parses what kubectl's duration flags accept", () => {
    expect(parseGoDuration("90m")).toEqual({ ok: true, ms: 90 * 60_000 });
    expect(parseGoDuration("24h")).toEqual({ ok: true, ms: 24 * 3_600_000 });
    expect(parseGoDuration("1h30m")).toEqual({ ok: true, ms: 5_400_000 });
    expect(parseGoDuration("1.5s")).toEqual({ ok: true, ms: 1500 });
    expect(parseGoDuration(".5h")).toEqual({ ok: true, ms: 1_800_000 });
    expect(parseGoDuration("500ms")).toEqual({ ok: true, ms: 500 });
    expect(parseGoDuration("1500us")).toEqual({ ok: true, ms: 1.5 });
    expect(parseGoDuration("0")).toEqual({ ok: true, ms: 0 });
    expect(parseGoDuration("-2m")).toEqual({ ok: true, ms: -120_000 });
  });

  it("refuses what Go refuses, with Go's message", () => {
    expect(parseGoDuration("7d")).toEqual({ ok: false, message: 'time: unknown unit "d" in duration "7d"' });
    expect(parseGoDuration("24")).toEqual({ ok: false, message: 'time: missing unit in duration "24"' });
    expect(parseGoDuration("")).toEqual({ ok: false, message: 'time: invalid duration ""' });
    expect(parseGoDuration("h")).toEqual({ ok: false, message: 'time: invalid duration "h"' });
    expect(parseGoDuration(".h")).toEqual({ ok: false, message: 'time: invalid duration ".h"' });
    expect(parseGoDuration("1h ")).toEqual({ ok: false, message: 'time: unknown unit "h " in duration "1h "' });
    expect(parseGoDuration("3000000h")).toEqual({ ok: false, message: 'time: invalid duration "3000000h"' });
  });
});
