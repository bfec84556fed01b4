/**
 * @module
 * Telling the platform's passing trouble from our own bugs. A Durable Object
 * that restarts (a deploy, `wrangler dev` stopping, a storage timeout), a
 * dropped connection between two objects, or an overloaded object throws an
 * ordinary Error; workerd marks it with `.retryable`, `.overloaded` or
 * `.durableObjectReset`, but the mark does not survive being rethrown across a
 * second RPC hop, so the runtime's known messages count as well.
 *
 * Such a failure becomes 503 (nothing of the request took effect) or 504 (a
 * write may still take effect: upstream's "may still be processing"), both
 * with Retry-After, instead of a 500 that reads like a bug and a retry that
 * might apply a write twice. See docs/api-server.md, "Transient failures".
 */
import { ApiError, serverTimeout, serviceUnavailable } from "../../shared/k8s/errors";

/** Retry-After (s) when nothing was written: the platform's own retry window is about this short. */
export const UNAVAILABLE_RETRY_AFTER_S = 1;
/** Retry-After (s) when a pending write exists: the object's recovery alarm re-sends it within 2 s. */
export const PENDING_RETRY_AFTER_S = 2;

/** Messages workerd gives infrastructure failures (its `jsg.Error` texts for broken or reset objects). */
const TRANSIENT_MESSAGES: readonly RegExp[] = [
  /network connection lost/i,
  /durable object reset because its code was updated/i,
  /durable object's code has been updated/i,
  /durable object storage is no longer accessible/i,
  /durable object storage operation exceeded timeout/i,
  /actor exceeded event execution time/i,
  /actor freed due to inactivity/i,
  /durable object is overloaded/i,
  /cannot resolve durable object due to transient issue/i,
  /all objects in the isolate were reset/i,
  /internal error in durable object storage/i,
];

function flag(err: object, name: string): boolean {
  return (err as Record<string, unknown>)[name] === true;
}

/** True when `err` is the platform's transient trouble rather than a bug or a refusal. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ApiError || !(err instanceof Error)) return false;
  if (flag(err, "retryable") || flag(err, "overloaded") || flag(err, "durableObjectReset")) return true;
  return TRANSIENT_MESSAGES.some((re) => re.test(err.message));
}

/** True when the failure says the request was turned away before it ran (an overloaded object). */
export function isOverloaded(err: unknown): boolean {
  return err instanceof Error && (flag(err, "overloaded") || /overloaded/i.test(err.message));
}

/** 503/504 codes are the retryable answers this module produces; any other ApiError is a decision. */
export function isRetryableStatus(code: number): boolean {
  return code === 503 || code === 504;
}

/**
 * What a failure after a pending row was recorded means to the client: the
 * row will be re-sent (by the next access or the recovery alarm), so the write
 * may still apply — 504 — unless the store refused it outright (an ApiError
 * other than 503/504, which the caller passes on unchanged).
 */
export function pendingFailure(err: unknown): unknown {
  if (err instanceof ApiError && !isRetryableStatus(err.code)) return err;
  console.error("write left pending; the recovery alarm re-sends it", err);
  return serverTimeout(PENDING_RETRY_AFTER_S);
}

/**
 * The ApiError a front-side failure becomes. A transient failure of a write
 * answers 504: the object's store may have recorded it before the connection
 * broke, and its recovery would then apply it. A read, or a request an
 * overloaded object turned away, answers 503. Anything else is undefined
 * (an internal error).
 */
export function transientFailure(err: unknown, method: string): ApiError | undefined {
  if (!isTransient(err)) return undefined;
  const read = method === "GET" || method === "HEAD";
  if (read || isOverloaded(err)) return serviceUnavailable(UNAVAILABLE_RETRY_AFTER_S);
  return serverTimeout(PENDING_RETRY_AFTER_S);
}
