/**
 * @module
 * client-go's EventSourceObjectSpamFilter (tools/record/events_cache.go): a
 * token bucket per source component and involved object — a burst of 25,
 * then one Event per 5 minutes — so a scale to 1,000 records 25
 * SuccessfulCreate Events, not 1,000 writes on the path the user waits on.
 * Held in memory like upstream's: reconciles of one owner run in that owner's
 * Reconciler Durable Object, whose memory outlives the burst. An isolate that
 * is evicted starts with full buckets, which only ever lets more through.
 */

/** Upstream's defaults: defaultSpamBurst and defaultSpamQPS (1/300). */
export const SPAM_BURST = 25;
export const SPAM_REFILL_MS = 300_000;
/** Buckets kept at most (upstream's LRU holds 4096 too); the oldest go first. */
const MAX_KEYS = 4096;

interface Bucket {
  tokens: number;
  at: number;
}

/** A token bucket per key. */
export class SpamFilter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly burst = SPAM_BURST, private readonly refillMs = SPAM_REFILL_MS) {}

  /** Whether an Event under `key` may be recorded at `now`; takes a token if so. */
  allow(key: string, now: number): boolean {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const refilled = Math.min(this.burst, b.tokens + Math.max(0, now - b.at) / this.refillMs);
    const allowed = refilled >= 1;
    const next = { tokens: allowed ? refilled - 1 : refilled, at: now };
    // Re-insert so iteration order is least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, next);
    if (this.buckets.size > MAX_KEYS) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return allowed;
  }
}
