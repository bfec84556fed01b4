/**
 * @module
 * How times are written on the wire: `metav1.Time` (RFC 3339 in whole
 * seconds, UTC, `Z`) and `metav1.MicroTime` (microseconds). Every timestamp
 * the server or a controller stamps goes through here.
 */

/** `metav1.Time` for `ms` since the epoch: RFC 3339, truncated to whole seconds, e.g. `2026-01-02T03:04:05Z`. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** `metav1.MicroTime` for `ms` since the epoch: RFC 3339 with six fractional digits (the last three always 0 here). */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
