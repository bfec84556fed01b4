import { afterEach, describe, expect, it } from "vitest";
import { mapBounded, runBounded } from "./bounded";

/** Counts zero-delay timers set while a test runs (the pool's turns), passing every call through. */
const realSetTimeout = globalThis.setTimeout;
let zeroTimers = 0;
function countZeroTimers(): void {
  zeroTimers = 0;
  const counting = ((handler: () => void, ms?: number) => {
    if (!ms) zeroTimers++;
    return realSetTimeout(handler, ms);
  }) as typeof setTimeout;
  globalThis.setTimeout = counting;
}
afterEach(() => {
  globalThis.setTimeout = realSetTimeout;
});

describe("mapBounded", () => {
  it("keeps `limit` tasks in flight, never more, and answers in the order of the items", async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapBounded(Array.from({ length: 40 }, (_, i) => i), 6, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => realSetTimeout(r, (i * 7) % 5));
      inFlight--;
      if (i === 13) throw new Error("thirteen");
      return i * 2;
    });
    expect(most).toBe(6);
    expect(out.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual(
      Array.from({ length: 40 }, (_, i) => (i === 13 ? "thirteen" : i * 2)));
  });

  it("starts the first round of workers together, on one turn of the loop", async () => {
    countZeroTimers();
    const started: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const run = mapBounded([0, 1, 2, 3, 4, 5, 6, 7], 8, async (i) => {
      started.push(i);
      await gate;
    });
    // One turn later every worker has started: a timer per worker would start them one per turn.
    await new Promise((r) => realSetTimeout(r, 0));
    await new Promise((r) => realSetTimeout(r, 0));
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(zeroTimers).toBe(1);
    release();
    await run;
  });

  it("yields to the loop before every task, one shared turn per round of workers", async () => {
    countZeroTimers();
    // Synchronous tasks: every worker comes back for its next item in the same turn.
    const errors = await runBounded(Array.from({ length: 100 }, () => async () => {}), 16);
    expect(errors).toEqual([]);
    // Seven rounds of 16 (the last of four); a turn per task would be 100 timers.
    expect(zeroTimers).toBe(Math.ceil(100 / 16));
  });

  it("starts no task of a worker before the loop has turned since its last one", async () => {
    countZeroTimers();
    const turnsAtStart: number[] = [];
    await mapBounded(Array.from({ length: 30 }, (_, i) => i), 3, async () => {
      turnsAtStart.push(zeroTimers);
    });
    // Every round of three shares a turn, and each round is on a later one than the round before.
    expect(turnsAtStart).toEqual(Array.from({ length: 30 }, (_, i) => Math.floor(i / 3) + 1));
  });
});
