/**
 * @module
 * Exponential backoff with jitter, shared by the watch (reconnects) and the
 * reporter (webhook retries), and an abortable sleep.
 */

/** Backoff tuning. */
export interface BackoffOptions {
  /** First delay. */
  initialMs: number;
  /** No delay exceeds this. */
  maxMs: number;
  /** Growth per attempt; 2 unless told. */
  factor?: number;
  /**
   * Share of each delay that is random (0..1; 0.5 unless told): many agents
   * retrying after one control-plane restart must not arrive in lockstep.
   */
  jitter?: number;
  /** Source of randomness (tests pass a fixed one). */
  random?: () => number;
}

/** Delays for successive attempts: initial·factor^n capped at max, the jittered share drawn at random. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt. */
  next(): number {
    const { initialMs, maxMs, factor = 2, jitter = 0.5, random = Math.random } = this.options;
    const base = Math.min(maxMs, initialMs * factor ** this.attempt);
    this.attempt++;
    return Math.round(base * (1 - jitter) + base * jitter * random());
  }

  /** Back to the first delay (after a success). */
  reset(): void {
    this.attempt = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
