/**
 * @module
 * Durable Object RPC loses an Error's custom fields, so storage methods return
 * an {@link Outcome} and the API front rethrows the Status as an ApiError.
 */
import { ApiError, serviceUnavailable, type Status } from "../../shared/k8s/errors";
import { isTransient, pendingFailure, UNAVAILABLE_RETRY_AFTER_S } from "./transient";

/** The result of a storage call: a value, or the Status to answer with. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; status: Status };

/**
 * Runs `fn`, turning a thrown ApiError into a failed Outcome. The platform's
 * transient trouble (a reset or unreachable object, see transient.ts) becomes
 * 503 with Retry-After: whatever `fn` had not recorded did not happen, and a
 * write it had recorded as pending says so itself ({@link whilePending}).
 * Anything else still throws (a bug: 500).
 */
export async function outcome<T>(fn: () => Promise<T> | T): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, status: err.toStatus() };
    if (isTransient(err)) {
      console.error("transient storage failure", err);
      return { ok: false, status: serviceUnavailable(UNAVAILABLE_RETRY_AFTER_S).toStatus() };
    }
    throw err;
  }
}

/**
 * Runs the part of a write that follows its pending row: a failure there
 * (anything but the store's own refusal) leaves the row for recovery, so the
 * client hears 504 "may still be processing" with Retry-After, never 500.
 */
export async function whilePending<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw pendingFailure(err);
  }
}

/** Unwraps an Outcome, rethrowing its Status as an ApiError. */
export function unwrap<T>(result: Outcome<T>): T {
  if (result.ok) return result.value;
  const s = result.status;
  throw new ApiError(s.code, s.reason, s.message, s.details);
}
