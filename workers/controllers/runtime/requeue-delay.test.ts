import { describe, expect, it } from "vitest";
import { MAX_QUEUE_DELAY_SECONDS, queueDelaySeconds } from "./reconciler";
import { cleanupRetryMs } from "../../objects/namespace-cleanup";

describe("queueDelaySeconds", () => {
  it("is a whole number of seconds between 1 and the queue's 12 h maximum for any request", () => {
    expect(queueDelaySeconds(2.2)).toBe(3);
    expect(queueDelaySeconds(0)).toBe(1);
    expect(queueDelaySeconds(NaN)).toBe(1);
    for (const s of [100000, 9999999999999, Infinity]) expect(queueDelaySeconds(s)).toBe(MAX_QUEUE_DELAY_SECONDS);
  });
});

describe("cleanupRetryMs", () => {
  it("doubles after failures up to 5 minutes, and while waiting up to 10 s", () => {
    expect([1, 2, 3, 4].map((failures) => cleanupRetryMs({ failures, idle: 0 }))).toEqual([2000, 4000, 8000, 16000]);
    expect(cleanupRetryMs({ failures: 50, idle: 0 })).toBe(300_000);
    expect([0, 1, 2, 3].map((idle) => cleanupRetryMs({ failures: 0, idle }))).toEqual([2000, 4000, 8000, 10_000]);
  });
});
