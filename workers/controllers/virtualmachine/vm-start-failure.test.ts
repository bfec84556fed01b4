import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../../shared/k8s/object";
import { NOW, vm, vmi } from "../shared/test-fixtures";
import { calculateStartBackoffTime, startFailureBackoffTimeLeft, syncStartFailure } from "./vm-start-failure";
import { formatTime } from "../../../shared/k8s/time";

const noJitter = (): number => 0;
const maxJitter = (n: number): number => n - 1;
const inSeconds = (s: number): string => formatTime(NOW.getTime() + s * 1000);

describe("calculateStartBackoffTime: 10·n² s + jitter ≤ delay/2, capped at 300 s", () => {
  it.each([
    [-1, 10, 15],
    [0, 10, 15],
    [1, 10, 15],
    [2, 40, 60],
    [3, 90, 135],
    [4, 160, 240],
    [5, 250, 300],
    [6, 300, 300],
    [100, 300, 300],
  ])("fail count %i: %i s without jitter, %i s with the most", (n, min, max) => {
    expect([calculateStartBackoffTime(n, 300, noJitter), calculateStartBackoffTime(n, 300, maxJitter)]).toEqual([min, max]);
  });

  it("asks the jitter source for rand.Intn(delay/2 + 1)", () => {
    const asked: number[] = [];
    calculateStartBackoffTime(3, 300, (n) => (asked.push(n), 0));
    calculateStartBackoffTime(1, 300, (n) => (asked.push(n), 0));
    expect(asked).toEqual([46, 6]);
  });

  it("scales the interval with a larger cap (maxDelay / 30)", () => {
    expect(calculateStartBackoffTime(2, 600, noJitter)).toBe(80);
  });

  it("stays within [10·n², min(15·n², 300)] with the real random source", () => {
    for (let i = 0; i < 50; i++) {
      const d = calculateStartBackoffTime(2);
      expect(d >= 40 && d <= 60).toBe(true);
    }
  });
});

describe("startFailureBackoffTimeLeft", () => {
  it.each<[JsonObject | undefined, number]>([
    [undefined, 0],
    [{ consecutiveFailCount: 1 }, 0],
    [{ consecutiveFailCount: 1, retryAfterTimestamp: inSeconds(30) }, 30],
    [{ consecutiveFailCount: 1, retryAfterTimestamp: inSeconds(-30) }, 0],
    [{ consecutiveFailCount: 1, retryAfterTimestamp: "2026-03-01T12:00:00.800Z" }, 0],
  ])("%j → %i s", (startFailure, want) => {
    expect(startFailureBackoffTimeLeft(vm({ status: startFailure ? { startFailure } : {} }), NOW)).toBe(want);
  });
});

describe("syncStartFailure (syncStartFailureStatus)", () => {
  const prior = { consecutiveFailCount: 2, lastFailedVMIUID: "uid-old", retryAfterTimestamp: inSeconds(-100) };
  const withPrior = vm({ runStrategy: "Always", status: { startFailure: prior } });
  const failedEarly = vmi("vm1", { phase: "Failed" });

  const recorded = (count: number, retryIn: number) => ({
    consecutiveFailCount: count,
    lastFailedVMIUID: "uid-vm1",
    retryAfterTimestamp: inSeconds(retryIn),
  });

  it.each([
    ["Always: first early failure", vm({ runStrategy: "Always" }), "Always", failedEarly, recorded(1, 10)],
    ["Always: another VMI failed early", withPrior, "Always", failedEarly, recorded(3, 90)],
    ["Once records too", vm({ runStrategy: "Once" }), "Once", vmi("vm1", { phase: "Succeeded" }), recorded(1, 10)],
    ["the same VMI is counted once", withPrior, "Always", vmi("x", { uid: "uid-old", phase: "Failed" }), prior],
    ["no VMI keeps the record", withPrior, "Always", undefined, prior],
    ["a VMI still starting keeps the record", withPrior, "Always", vmi("vm1", { phase: "Scheduling" }), prior],
    ["a VMI that ran clears it", withPrior, "Always", vmi("vm1", { phase: "Running", hasRun: true }), undefined],
    ["a VMI that ran and then failed clears it", withPrior, "RerunOnFailure", vmi("vm1", { phase: "Failed", hasRun: true }), undefined],
    ["Manual never backs off", withPrior, "Manual", failedEarly, undefined],
    ["Halted never backs off", withPrior, "Halted", failedEarly, undefined],
  ])("%s", (_n, theVM, strategy, theVMI, want) => {
    expect(syncStartFailure(theVM, strategy, theVMI, NOW, noJitter)).toEqual(want);
  });
});
