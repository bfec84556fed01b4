import { describe, expect, it } from "vitest";
import { SPAM_BURST, SPAM_REFILL_MS, SpamFilter } from "./event-spam-filter";

describe("SpamFilter (EventSourceObjectSpamFilter)", () => {
  it("lets a burst of 25 through per key, then one per 5 minutes", () => {
    const f = new SpamFilter();
    const t = 1_000_000;
    const allowed = Array.from({ length: 40 }, () => f.allow("rs-a", t)).filter(Boolean).length;
    expect(allowed).toBe(SPAM_BURST);
    expect(f.allow("rs-a", t + SPAM_REFILL_MS - 1)).toBe(false);
    expect(f.allow("rs-a", t + SPAM_REFILL_MS)).toBe(true);
    expect(f.allow("rs-a", t + SPAM_REFILL_MS + 1)).toBe(false);
  });

  it("keeps keys apart and refills to the burst at most", () => {
    const f = new SpamFilter(3, 1000);
    for (let i = 0; i < 3; i++) expect(f.allow("a", 0)).toBe(true);
    expect(f.allow("a", 0)).toBe(false);
    expect(f.allow("b", 0)).toBe(true);
    const later = 1_000_000;
    expect([0, 1, 2, 3].map(() => f.allow("a", later))).toEqual([true, true, true, false]);
  });
});
