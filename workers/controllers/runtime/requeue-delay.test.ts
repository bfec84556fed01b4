import { describe, expect, it } from "vitest";
import { MAX_QUEUE_DELAY_SECONDS, queueDelaySeconds, requeueCovered } from "./reconciler";
import { cleanupRetryMs } from "../../objects/namespace-cleanup";

describe("queueDelaySeconds", () => {
  it("is a whole number of seconds between 1 and the queue's 12 h maximum for any request", () => {
    expect(queueDelaySeconds(2.2)).toBe(3);
    expect(queueDelaySeconds(0)).toBe(1);
    expect(queueDelaySeconds(NaN)).toBe(1);
    for (const s of [100000, 9999999999999, Infinity]) expect(queueDelaySeconds(s)).toBe(MAX_QUEUE_DELAY_SECONDS);
  });
});

describe("requeueCovered", () => {
  // A deadline 4.1 s after t=0: the message is sent with 5 s (due 5000, for 4100).
  const sent = { at: 5000, for: 4100 };

  it("is covered when the same deadline is asked again across a second boundary (its own whole-second delay would be due at 4950)", () => {
    expect(requeueCovered(sent, 950, 4100)).toBe(true);
  });

  it("is covered for a later deadline and not for an earlier one", () => {
    expect(requeueCovered(sent, 100, 9000)).toBe(true);
    expect(requeueCovered(sent, 100, 2000)).toBe(false);
  });

  it("is not covered by the delivery running now (due within a second)", () => {
    expect(requeueCovered(sent, 4500, 9000)).toBe(false);
    expect(requeueCovered({ at: 0, for: 0 }, 100, 9000)).toBe(false);
  });
});

describe("cleanupRetryMs", () => {
  it("doubles after failures up to 5 minutes, and while waiting up to 10 s", () => {
    expect([1, 2, 3, 4].map((failures) => cleanupRetryMs({ failures, idle: 0 }))).toEqual([2000, 4000, 8000, 16000]);
    expect(cleanupRetryMs({ failures: 50, idle: 0 })).toBe(300_000);
    expect([0, 1, 2, 3].map((idle) => cleanupRetryMs({ failures: 0, idle }))).toEqual([2000, 4000, 8000, 10_000]);
  });
});
