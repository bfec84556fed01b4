import { describe, expect, it } from "vitest";
import { ReconcileOutbox } from "./reconcile-outbox";

const rs = { controller: "replicaset", namespace: "a", name: "web" };
const scheduler = { controller: "scheduler" };
const gc = { controller: "garbagecollector", uid: "u1" };

describe("ReconcileOutbox", () => {
  it("sends each waiting key once, however often it was added", () => {
    const outbox = new ReconcileOutbox(250);
    outbox.add([rs, scheduler]);
    outbox.add([{ ...rs }, scheduler]);
    expect(outbox.size).toBe(2);
    expect(outbox.take(0)).toEqual({ keys: [rs, scheduler], nextDueMs: undefined });
    expect(outbox.size).toBe(0);
  });

  it("holds a key sent less than the hold ago, then sends it once however often it was added meanwhile", () => {
    const outbox = new ReconcileOutbox(250);
    outbox.add([scheduler]);
    expect(outbox.take(1000).keys).toEqual([scheduler]);
    for (let t = 1010; t < 1250; t += 10) {
      outbox.add([scheduler]);
      expect(outbox.take(t)).toEqual({ keys: [], nextDueMs: 1250 - t });
    }
    expect(outbox.take(1250)).toEqual({ keys: [scheduler], nextDueMs: undefined });
    // The change made during the hold was sent; nothing is left behind.
    expect(outbox.size).toBe(0);
  });

  it("a held key does not hold back the others", () => {
    const outbox = new ReconcileOutbox(250);
    outbox.add([scheduler]);
    outbox.take(0);
    outbox.add([scheduler, rs, gc]);
    expect(outbox.take(100)).toEqual({ keys: [rs, gc], nextDueMs: 150 });
    expect(outbox.take(250)).toEqual({ keys: [scheduler], nextDueMs: undefined });
  });

  it("a key not added again during its hold goes at once after it", () => {
    const outbox = new ReconcileOutbox(250);
    outbox.add([rs]);
    outbox.take(0);
    outbox.add([rs]);
    expect(outbox.take(300)).toEqual({ keys: [rs], nextDueMs: undefined });
    // The earliest due of several held keys is the one asked for next.
    outbox.add([scheduler]);
    outbox.take(310);
    outbox.add([rs, scheduler]);
    expect(outbox.take(400)).toEqual({ keys: [], nextDueMs: 150 });
  });
});
