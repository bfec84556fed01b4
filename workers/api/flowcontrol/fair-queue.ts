/**
 * @module
 * One priority level of API Priority and Fairness, kept small: a number of
 * seats (requests executing at once); requests beyond them wait in a queue
 * per flow (per user), and a freed seat goes to the next flow in turn, so a
 * flow with a thousand requests waiting gets one seat per round, like a flow
 * with one. A flow's queue is bounded; a request that cannot queue, or waits
 * too long, is rejected (the caller answers 429), as upstream's
 * fair-queuing rejects past queueLengthLimit and its queue-wait deadline.
 * A level may also cap the seats one flow holds at once (`seatsPerFlow`),
 * which upstream does not: see levels.ts for why.
 *
 * A seat is held at most `maxHoldMs`. A request's seat is freed in its
 * `finally`, but workerd may never run that: a request cancelled while it
 * waits on I/O (its client went away) is dropped with its continuations.
 * Without a bound, each such request would keep its seat for the life of
 * the isolate, and a caller that disconnects on purpose could take every
 * seat of its level for good.
 */

/** Why a request was not admitted. */
export type Rejection = "queue-full" | "time-out";

interface Waiter {
  admit: () => void;
  reject: (why: Rejection) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** How a level is sized. */
export interface LevelLimits {
  /** Requests executing at once. */
  seats: number;
  /** Requests one flow may have waiting. */
  queueLengthLimit: number;
  /** How long a request may wait for a seat. */
  maxWaitMs: number;
  /** Seats one flow may hold at once (default: all of them). */
  seatsPerFlow?: number;
  /** A seat held longer is taken back when the next request arrives (see the module comment). */
  maxHoldMs: number;
  /** The clock (tests set their own). */
  now?: () => number;
}

/** One seat held: by whom and since when. */
interface Seat {
  flow: string;
  since: number;
}

/** A seat-limited, per-flow fair-queued level. */
export class FairQueue {
  /** The seats held now, oldest first (a seat given or taken back leaves the set). */
  private readonly seats = new Set<Seat>();
  private readonly now: () => number;
  /** Seats held by each flow holding any. */
  private readonly held = new Map<string, number>();
  private readonly perFlow: number;
  /** Waiting requests by flow, in arrival order within a flow; a Map keeps the round-robin order of flows. */
  private readonly queues = new Map<string, Waiter[]>();

  constructor(private readonly limits: LevelLimits) {
    this.perFlow = Math.max(1, Math.min(limits.seats, limits.seatsPerFlow ?? limits.seats));
    this.now = limits.now ?? Date.now;
  }

  /** Requests executing now. */
  get inFlight(): number {
    return this.seats.size;
  }

  /** Requests waiting now, over all flows. */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /**
   * Waits for a seat for `flow`; resolves with the function that frees it
   * (call it exactly once, when the request is done), or rejects with why.
   */
  acquire(flow: string): Promise<() => void> {
    this.reclaimLost();
    if (this.admitsNow(flow)) return Promise.resolve(this.seat(flow));
    const queue = this.queues.get(flow) ?? [];
    if (queue.length >= this.limits.queueLengthLimit) return Promise.reject(new RejectedError("queue-full"));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => resolve(this.seat(flow)),
        reject: (why) => reject(new RejectedError(why)),
        timer: undefined,
      };
      waiter.timer = setTimeout(() => this.expire(flow, waiter), this.limits.maxWaitMs);
      queue.push(waiter);
      this.queues.set(flow, queue);
      // A seat may be free while the flows waiting are at their cap: it goes to the first flow that may take it.
      this.dispatch();
    });
  }

  /**
   * Whether a request of `flow` would be seated at once: a seat is free, the
   * flow is below its cap, and no flow that may take a seat waits ahead of it.
   */
  admitsNow(flow: string): boolean {
    return this.seats.size < this.limits.seats && this.mayTake(flow) && this.nextEligible() === undefined;
  }

  /** The first waiting flow (in round-robin order) below its cap, with its queue. */
  private nextEligible(): [string, Waiter[]] | undefined {
    for (const entry of this.queues) if (this.mayTake(entry[0])) return entry;
    return undefined;
  }

  /** Whether `flow` holds fewer seats than its cap. */
  private mayTake(flow: string): boolean {
    return (this.held.get(flow) ?? 0) < this.perFlow;
  }

  private seat(flow: string): () => void {
    const seat: Seat = { flow, since: this.now() };
    this.seats.add(seat);
    this.held.set(flow, (this.held.get(flow) ?? 0) + 1);
    return () => {
      if (this.free(seat)) this.dispatch();
    };
  }

  /** Gives `seat` back once; false when it was already. */
  private free(seat: Seat): boolean {
    if (!this.seats.delete(seat)) return false;
    const left = (this.held.get(seat.flow) ?? 1) - 1;
    if (left > 0) this.held.set(seat.flow, left);
    else this.held.delete(seat.flow);
    return true;
  }

  /**
   * Takes back the seats held past maxHoldMs (their requests are taken for
   * lost; see the module comment). Run on every acquire: insertion order is
   * seating order, so the search ends at the first seat held for less, which
   * is nearly always the first one.
   */
  private reclaimLost(): void {
    const oldest = this.now() - this.limits.maxHoldMs;
    for (const seat of this.seats) {
      if (seat.since > oldest) break;
      this.free(seat);
    }
  }

  /**
   * Gives free seats to the flows in turn: the first flow waiting below its
   * cap takes one and goes to the back; a flow at its cap keeps its place.
   */
  private dispatch(): void {
    while (this.seats.size < this.limits.seats) {
      const chosen = this.nextEligible();
      if (!chosen) return;
      const [flow, queue] = chosen;
      const waiter = queue.shift();
      this.queues.delete(flow);
      if (queue.length > 0) this.queues.set(flow, queue);
      if (!waiter) continue;
      clearTimeout(waiter.timer);
      waiter.admit();
    }
  }

  private expire(flow: string, waiter: Waiter): void {
    const queue = this.queues.get(flow);
    const at = queue?.indexOf(waiter) ?? -1;
    if (!queue || at < 0) return;
    queue.splice(at, 1);
    if (queue.length === 0) this.queues.delete(flow);
    waiter.reject("time-out");
  }
}

/** A request the level did not admit. */
export class RejectedError extends Error {
  constructor(readonly why: Rejection) {
    super(why === "queue-full" ? "the flow's queue is full" : "the request waited too long for a seat");
    this.name = "RejectedError";
  }
}
