import { describe, expect, it } from "vitest";
import { FairQueue, RejectedError } from "./fair-queue";
import { classify, FLOW_SCHEMAS, queueOf, seatsOf, seatsPerFlowOf, PRIORITY_LEVELS, TOTAL_SEATS, totalSeatsOf } from "./levels";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("API priority and fairness", () => {
  it("gives freed seats to flows in turn, so a flooding user does not starve another", async () => {
    const q = new FairQueue({ seats: 2, queueLengthLimit: 100, maxWaitMs: 10_000, maxHoldMs: 60_000 });
    const order: string[] = [];
    const held: (() => void)[] = [];
    const start = (flow: string, i: number) => q.acquire(flow).then((release) => {
      order.push(`${flow}${i}`);
      held.push(release);
    });
    const all: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) all.push(start("flood", i));
    await tick();
    for (let i = 0; i < 3; i++) all.push(start("quiet", i));
    await tick();
    expect(order).toEqual(["flood0", "flood1"]);
    expect(q.waiting).toBe(21);
    // Free one seat at a time: the quiet user is served every other seat, not after the flood's 18.
    for (let n = 0; n < 6; n++) {
      held.shift()?.();
      await tick();
    }
    expect(order.slice(2)).toEqual(["flood2", "quiet0", "flood3", "quiet1", "flood4", "quiet2"]);
    while (held.length > 0) {
      held.shift()?.();
      await tick();
    }
    await Promise.all(all);
    expect(q.inFlight).toBe(0);
  });

  it("keeps a seat out of a flooding flow's reach, so another flow starts at once instead of after one of its requests", async () => {
    const q = new FairQueue({ seats: 2, seatsPerFlow: 1, queueLengthLimit: 100, maxWaitMs: 10_000, maxHoldMs: 60_000 });
    const order: string[] = [];
    const held = new Map<string, () => void>();
    const start = (flow: string, i: number) => q.acquire(flow).then((release) => {
      order.push(`${flow}${i}`);
      held.set(`${flow}${i}`, release);
    });
    const all: Promise<void>[] = [];
    for (let i = 0; i < 10; i++) all.push(start("flood", i));
    await tick();
    // One seat stays free although the flood has nine requests waiting.
    expect([order, q.inFlight, q.waiting]).toEqual([["flood0"], 1, 9]);
    // A second flow arriving while the flood waits takes the free seat without waiting for the flood's seat to free.
    all.push(start("quiet", 0));
    await tick();
    expect([order, q.inFlight]).toEqual([["flood0", "quiet0"], 2]);
    // Freed seats go to the flood one at a time; the quiet flow's next request is again admitted at once.
    held.get("quiet0")?.();
    await tick();
    expect(q.inFlight).toBe(1);
    all.push(start("quiet", 1));
    await tick();
    expect(order).toEqual(["flood0", "quiet0", "quiet1"]);
    held.get("flood0")?.();
    await tick();
    expect(order).toEqual(["flood0", "quiet0", "quiet1", "flood1"]);
    for (let i = 1; i < 10; i++) {
      held.get(`flood${i}`)?.();
      await tick();
    }
    held.get("quiet1")?.();
    await Promise.all(all);
    expect([order.filter((o) => o.startsWith("flood")).length, q.inFlight, q.waiting]).toEqual([10, 0, 0]);
  });

  it("caps a flow at all but one of its level's seats, and a one-seat level at its seat", () => {
    expect([1, 2, 3, 59].map(seatsPerFlowOf)).toEqual([1, 1, 2, 58]);
  });

  it("rejects past a flow's queue limit, and after the longest wait, without losing seats", async () => {
    const q = new FairQueue({ seats: 1, queueLengthLimit: 2, maxWaitMs: 30, maxHoldMs: 60_000 });
    const release = await q.acquire("a");
    const waiting = [q.acquire("a"), q.acquire("a")];
    await expect(q.acquire("a")).rejects.toThrow(RejectedError);
    const other = q.acquire("b");
    const outcomes = await Promise.allSettled([...waiting, other]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(outcomes.map((o) => (o.status === "rejected" && o.reason instanceof RejectedError ? o.reason.why : ""))).toEqual(["time-out", "time-out", "time-out"]);
    release();
    release(); // a second call frees nothing more
    expect(q.inFlight).toBe(0);
    const again = await q.acquire("b");
    expect(q.inFlight).toBe(1);
    again();
  });

  it("takes back seats held past the longest hold, as a cancelled request that never freed its own", async () => {
    let now = 0;
    const q = new FairQueue({ seats: 2, queueLengthLimit: 10, maxWaitMs: 10_000, maxHoldMs: 1_000, now: () => now });
    // Two requests of a whose finally never runs: their seats are never given back by them.
    const lost = [await q.acquire("a"), await q.acquire("a")];
    now = 999;
    let bSeated = false;
    const b = q.acquire("b").then((release) => {
      bSeated = true;
      return release;
    });
    await Promise.resolve();
    expect([bSeated, q.inFlight, q.waiting]).toEqual([false, 2, 1]);
    now = 1_000;
    const [releaseB, releaseC] = await Promise.all([b, q.acquire("c")]);
    expect([q.inFlight, q.waiting]).toEqual([2, 0]);
    // A lost request that does end after all frees nothing that is not its own.
    for (const release of lost) release();
    expect(q.inFlight).toBe(2);
    releaseB();
    releaseC();
    expect(q.inFlight).toBe(0);
  });

  it("classifies callers as upstream's bootstrap flow schemas do and shares the seats by level", () => {
    expect(classify({ username: "root", groups: ["system:masters", "system:authenticated"] }).name).toBe("exempt");
    expect(classify({ username: "system:node:h1", groups: ["system:nodes", "system:authenticated"] }).level.name).toBe("node-high");
    expect(classify({ username: "system:serviceaccount:a:ci", groups: ["system:serviceaccounts", "system:authenticated"] }).level.name).toBe("workload-low");
    expect(classify({ username: "alice", groups: ["system:authenticated"] }).level.name).toBe("global-default");
    expect(classify({ username: "x", groups: [] }).level.name).toBe("catch-all");
    expect(new Set(FLOW_SCHEMAS.map((f) => f.uid)).size).toBe(FLOW_SCHEMAS.length);
    const seats = PRIORITY_LEVELS.filter((l) => l.shares !== undefined).map((l) => seatsOf(l));
    expect(seats.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(TOTAL_SEATS);
    expect(seats.reduce((a, b) => a + b, 0)).toBeLessThan(TOTAL_SEATS + seats.length);
  });

  it("sizes the seats from APF_TOTAL_SEATS, falling back to upstream's 600 for a missing or malformed value", () => {
    expect(totalSeatsOf({ APF_TOTAL_SEATS: "24" })).toBe(24);
    for (const bad of [undefined, "", "0", "-3", "1.5", "lots"]) expect(totalSeatsOf({ APF_TOTAL_SEATS: bad })).toBe(TOTAL_SEATS);
    const level = PRIORITY_LEVELS.find((l) => l.name === "global-default");
    if (!level) throw new Error("no global-default level");
    expect(queueOf(level, 24)).toBe(queueOf(level, 24));
    expect(queueOf(level, 24)).not.toBe(queueOf(level, 600));
    // Every non-exempt level keeps at least one seat however small the total.
    expect(PRIORITY_LEVELS.filter((l) => l.shares !== undefined).every((l) => seatsOf(l, 1) === 1)).toBe(true);
  });
});
