/**
 * @module
 * Durable Object RPC loses an Error's custom fields, so storage methods return
 * an {@link Outcome} and the API front rethrows the Status as an ApiError.
 */
import { ApiError, type Status } from "../../shared/k8s/errors";

/** The result of a storage call: a value, or the Status to answer with. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; status: Status };

/** Runs `fn`, turning a thrown ApiError into a failed Outcome (anything else still throws). */
export async function outcome<T>(fn: () => Promise<T> | T): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, status: err.toStatus() };
    throw err;
  }
}

/** Unwraps an Outcome, rethrowing its Status as an ApiError. */
export function unwrap<T>(result: Outcome<T>): T {
  if (result.ok) return result.value;
  const s = result.status;
  throw new ApiError(s.code, s.reason, s.message, s.details);
}
