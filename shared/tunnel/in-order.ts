/**
 * @module
 * Puts a tunnel's messages back in the order their sender numbered them.
 *
 * Why: the messages of one WebSocket were seen handed to a Durable Object's
 * webSocketMessage out of order (a stream's `close` before its `opened` or
 * its last data), ending a `kubectl logs` early or failing an exec that ran.
 * Every frame carries its sender's sequence number (frames.ts); this puts
 * the receiver back in step.
 *
 * Where a sender's numbering starts is told by its `hello` (mux.ts): until
 * one came, everything is held, since the first message to arrive need not
 * be the first one sent.
 */

/** The distance from `from` to `to` on the 32-bit circle, in (-2^31, 2^31]. */
function distance(from: number, to: number): number {
  const d = (to - from) >>> 0;
  return d > 0x7fffffff ? d - 0x100000000 : d;
}

/** A random 32-bit starting number for a new sender. */
export function firstSequence(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
}

/** The number after `seq`. */
export function nextSequence(seq: number): number {
  return (seq + 1) >>> 0;
}

/** Delivers messages in sequence order, holding at most `maxPending` early ones. */
export class InOrder<T> {
  private expected?: number;
  private readonly pending = new Map<number, T>();

  constructor(private readonly deliver: (message: T) => void, private readonly maxPending = 1024) {}

  /** Messages held until an earlier one (or the sender's hello) arrives. */
  get held(): number {
    return this.pending.size;
  }

  /** The sender's numbering goes on from `seq` (its hello): what it sent before, if still held, goes first. */
  start(seq: number): void {
    const older = [...this.pending.keys()].filter((s) => distance(seq, s) < 0).sort((a, b) => distance(seq, a) - distance(seq, b));
    this.expected = seq;
    for (const s of older) this.take(s);
    this.drain();
  }

  push(seq: number, message: T): void {
    const expected = this.expected;
    if (expected === undefined) {
      this.pending.set(seq, message);
      // No hello in a long while (a peer that never sends one): go on in the order of the numbers held.
      if (this.pending.size > this.maxPending) this.start(Math.min(...this.pending.keys()));
      return;
    }
    const d = distance(expected, seq);
    if (d < 0) {
      // Older than what was already delivered (sent before the hello that set the start): late is better than lost.
      this.deliver(message);
    } else if (d > 0) {
      this.pending.set(seq, message);
      if (this.pending.size > this.maxPending) this.skipGap(expected);
    } else {
      this.deliver(message);
      this.expected = nextSequence(seq);
      this.drain();
    }
  }

  private take(seq: number): void {
    const message = this.pending.get(seq);
    this.pending.delete(seq);
    if (message !== undefined) this.deliver(message);
  }

  private drain(): void {
    for (let at = this.expected; at !== undefined && this.pending.has(at); at = this.expected) {
      this.take(at);
      this.expected = nextSequence(at);
    }
  }

  /** Too much held behind a message that may never come: go on from the earliest held one. */
  private skipGap(base: number): void {
    let earliest: number | undefined;
    for (const seq of this.pending.keys()) {
      if (earliest === undefined || distance(base, seq) < distance(base, earliest)) earliest = seq;
    }
    this.expected = earliest;
    this.drain();
  }
}
