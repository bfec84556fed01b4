/**
 * @module
 * Failed authentication, limited per source address. Every refused token can
 * cost a D1 read and an audit row; a source that fails `FAILED_AUTH_LIMIT`
 * times within `FAILED_AUTH_WINDOW_MS` is answered 429 TooManyRequests with
 * Retry-After until its window ends, before any lookup. Upstream has no such
 * limit (it relies on max-in-flight and fronting proxies); this one is per
 * isolate, so it bounds the cost of one client rather than enforcing an exact
 * global rate.
 */
import { tooManyRequests } from "../../shared/k8s/errors";
import { LruCache } from "./lru-cache";

/** Failures a source may have in one window before it is refused with 429. */
export const FAILED_AUTH_LIMIT = 20;
/** The window (ms), counted from a source's first failure in it. */
export const FAILED_AUTH_WINDOW_MS = 60_000;
/** Sources tracked per isolate; the least recently failing are forgotten first. */
const TRACKED_SOURCES = 10_000;

interface Window {
  start: number;
  failures: number;
}

const windows = new LruCache<string, Window>(TRACKED_SOURCES);

/** The client address a request came from (Cloudflare's header; "" when absent, as in tests). */
export function sourceOf(headers: Headers): string {
  return headers.get("cf-connecting-ip") ?? "";
}

/** Throws 429 with Retry-After while `source` is over its limit. */
export function refuseIfLimited(source: string, now: number): void {
  const w = windows.get(source, now);
  if (!w || w.failures < FAILED_AUTH_LIMIT) return;
  const retryAfter = Math.max(1, Math.ceil((w.start + FAILED_AUTH_WINDOW_MS - now) / 1000));
  throw tooManyRequests("too many failed authentication attempts from this address, please try again later", retryAfter);
}

/** Counts one failed authentication from `source`. */
export function recordFailure(source: string, now: number): void {
  const w = windows.get(source, now);
  if (w) w.failures++;
  else windows.set(source, { start: now, failures: 1 }, now + FAILED_AUTH_WINDOW_MS);
}
