/**
 * @module
 * How times are written on the wire: `metav1.Time` (RFC 3339 in whole
 * seconds, UTC, `Z`) and `metav1.MicroTime` (microseconds). Every timestamp
 * the server or a controller stamps goes through here. Neither formatter
 * throws: a time outside what RFC 3339's four-digit years can show (a huge
 * grace period, NaN) saturates at the nearest end, as deadlines do
 * (shared/k8s/deadline.ts), instead of a RangeError from Date.
 */
import { MAX_TIME_MS } from "./deadline.js";

/** 0001-01-01T00:00:00Z in milliseconds: Go's zero time, the earliest instant a metav1.Time shows. */
export const MIN_TIME_MS = -62_135_596_800_000;

/** `ms` within [{@link MIN_TIME_MS}, {@link MAX_TIME_MS}]; NaN is the earliest. */
function representable(ms: number): number {
  if (Number.isNaN(ms)) return MIN_TIME_MS;
  return Math.min(MAX_TIME_MS, Math.max(MIN_TIME_MS, ms));
}

/** `metav1.Time` for `ms` since the epoch: RFC 3339, truncated to whole seconds, e.g. `2026-01-02T03:04:05Z`. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(representable(ms) / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** `metav1.MicroTime` for `ms` since the epoch: RFC 3339 with six fractional digits (the last three always 0 here). */
export function formatMicroTime(ms: number): string {
  return new Date(representable(ms)).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
