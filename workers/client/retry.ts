/**
 * @module
 * client-go's `retry.RetryOnConflict`: run a read-decide-write step again
 * while it fails because it lost a race, up to a bound.
 */
import { isConflict } from "./errors";

/** How a step is retried. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 5, client-go's DefaultRetry). */
  attempts?: number;
  /** Which failures are worth another attempt (default: a 409). */
  retriable?: (err: unknown) => boolean;
}

/** Runs `step` (given the attempt number, from 1); a retriable failure runs it again, the last one is thrown. */
export async function retryOnConflict<T>(step: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 5;
  const retriable = opts.retriable ?? isConflict;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step(attempt);
    } catch (err) {
      if (!retriable(err) || attempt >= attempts) throw err;
    }
  }
}
