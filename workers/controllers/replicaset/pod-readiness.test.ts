import { describe, expect, it } from "vitest";
import { isPodActive, isPodAvailable, isPodReady, isPodTerminating, nextPodAvailabilityCheck } from "./pod-readiness";
import { NOW, pod } from "../shared/test-fixtures";

describe("isPodActive / isPodTerminating", () => {
  it.each([
    ["Running", false, true, false],
    ["Pending", false, true, false],
    ["Unknown", false, true, false],
    ["Succeeded", false, false, false],
    ["Failed", false, false, false],
    ["Running", true, false, true],
    ["Failed", true, false, false],
  ])("%s, deleting=%s → active %s, terminating %s", (phase, deleting, active, terminating) => {
    const p = pod("p", { phase, deleting });
    expect([isPodActive(p), isPodTerminating(p)]).toEqual([active, terminating]);
  });
});

describe("isPodReady / isPodAvailable", () => {
  it.each<[string, number | false | undefined, number, boolean, boolean]>([
    ["no Ready condition", undefined, 0, false, false],
    ["Ready=False", false, 0, false, false],
    ["ready, minReadySeconds 0", 0, 0, true, true],
    ["ready 11 s, min 10", 11, 10, true, true],
    // IsPodAvailable needs lastTransitionTime + min strictly before now.
    ["ready exactly 10 s, min 10", 10, 10, true, false],
    ["ready 5 s, min 10", 5, 10, true, false],
  ])("%s", (_n, readyFor, min, ready, available) => {
    const p = pod("p", { readyFor });
    expect([isPodReady(p), isPodAvailable(p, min, NOW)]).toEqual([ready, available]);
  });

  it("a ready pod without lastTransitionTime is available only with minReadySeconds 0", () => {
    const p = pod("p");
    p.status = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] };
    expect([isPodAvailable(p, 0, NOW), isPodAvailable(p, 1, NOW)]).toEqual([true, false]);
  });
});

describe("nextPodAvailabilityCheck", () => {
  it.each<[number | false, number, number | undefined]>([
    [4, 10, 6000],
    [10, 10, undefined],
    [20, 10, undefined],
    [4, 0, undefined],
    [false, 10, undefined],
  ])("ready for %s, min %i → %s ms", (readyFor, min, want) => {
    expect(nextPodAvailabilityCheck(pod("p", { readyFor }), min, NOW)).toBe(want);
  });
});
