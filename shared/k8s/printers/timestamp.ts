/**
 * @module
 * metav1.Time / metav1.MicroTime as printers read them: RFC 3339 strings,
 * where a missing value or Go's zero time means "unknown".
 */
import { humanDuration } from "./duration";

// Go's zero time.Time (0001-01-01T00:00:00Z), which metav1.Time.IsZero reports as zero.
const GO_ZERO_TIME_MS = -62_135_596_800_000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Milliseconds since the epoch for an RFC 3339 timestamp (fractional seconds
 * allowed, as Go's time.Parse accepts them), or undefined when it is not one.
 */
export function parseRfc3339(value: string): number | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const date = new Date(0);
  // setUTCFullYear keeps years 0-99 literal (Date.UTC would map them to 19xx).
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, 0);
  // Reject out-of-range fields (month 13, Feb 30, hour 24...) as time.Parse does.
  if (date.getUTCMonth() !== month || date.getUTCDate() !== day || date.getUTCHours() !== hour) return undefined;
  if (date.getUTCMinutes() !== minute || date.getUTCSeconds() !== second) return undefined;
  const fractionMs = frac ? Math.trunc(Number(`0.${frac}`) * 1000) : 0;
  const offsetMs = sign ? (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000 : 0;
  return date.getTime() + fractionMs - offsetMs;
}

/** True for Go's zero time, which metav1.Time serialises for an unset timestamp. */
export function isZeroTime(ms: number): boolean {
  return ms === GO_ZERO_TIME_MS;
}

/**
 * A timestamp field as milliseconds, or undefined where Go would hold the
 * zero time: missing, null, not a string, unparsable, or the zero instant.
 */
export function readTime(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const ms = parseRfc3339(value);
  return ms === undefined || isZeroTime(ms) ? undefined : ms;
}

/**
 * Upstream's `translateTimestampSince` (and `translateMicroTimestampSince`):
 * `<unknown>` for a zero time, else the human duration from the timestamp to `now`.
 */
export function translateTimestampSince(value: unknown, now: Date): string {
  const ms = readTime(value);
  return ms === undefined ? "<unknown>" : humanDuration(now.getTime() - ms);
}
