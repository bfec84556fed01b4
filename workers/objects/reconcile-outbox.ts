/**
 * @module
 * The reconcile keys a collection store has yet to send, and when each may
 * go. A key is held once however often it is added (as upstream's workqueue
 * holds it), and a key sent less than `holdMs` ago waits until that time has
 * passed, then goes once however often it was added meanwhile. Every change
 * still reaches its controller: the send it waits for comes after the
 * change, and reconciles are level-based.
 *
 * Why the hold: a busy kind used to send its hot keys (an owner's, the
 * scheduler's) every 10 ms window. In bench/fleet the local queue then held
 * thousands of copies of a few keys, and its broker, fed a send request per
 * window per kind, fired its own flush timer 15–29 s late (bench/README.md,
 * fleet). On Cloudflare, queue operations are billed per message as well.
 */

/** What `take` answers: the keys to send now, and in how many ms the next held key is due (undefined: none held). */
export interface OutboxTake {
  keys: unknown[];
  nextDueMs: number | undefined;
}

/** Reconcile keys gathered for one send, with the hold described above. */
export class ReconcileOutbox {
  /** Keys not yet sent, by their JSON. */
  private readonly waiting = new Map<string, unknown>();
  /** When each key sent within the last `holdMs` was sent, by its JSON. */
  private readonly sentAt = new Map<string, number>();

  constructor(private readonly holdMs: number) {}

  /** Adds `keys` (a key already waiting stays one). */
  add(keys: readonly unknown[]): void {
    for (const key of keys) this.waiting.set(JSON.stringify(key), key);
  }

  /** The number of distinct keys waiting. */
  get size(): number {
    return this.waiting.size;
  }

  /** Takes every waiting key not held at `now`, and marks them sent at `now`. */
  take(now: number): OutboxTake {
    for (const [id, at] of this.sentAt) if (now - at >= this.holdMs) this.sentAt.delete(id);
    const keys: unknown[] = [];
    let nextDue: number | undefined;
    for (const [id, key] of this.waiting) {
      const at = this.sentAt.get(id);
      if (at !== undefined) {
        nextDue = Math.min(nextDue ?? Infinity, at + this.holdMs);
        continue;
      }
      keys.push(key);
      this.waiting.delete(id);
      this.sentAt.set(id, now);
    }
    return { keys, nextDueMs: nextDue === undefined ? undefined : nextDue - now };
  }
}
