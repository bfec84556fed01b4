/**
 * @module
 * Deadlines computed from client-supplied seconds (grace periods,
 * minReadySeconds, activeDeadlineSeconds …). Upstream accepts any int64 for
 * most of these, and JavaScript dates end at ±8.64e15 ms, so `now + s * 1000`
 * turned into a Date throws a RangeError for a large enough `s`. Every such
 * sum saturates here instead: past the last instant a metav1.Time can show
 * (RFC 3339 has four-digit years) it is that instant, which is "never" for
 * any practical purpose and still formats and parses.
 */

/** 9999-12-31T23:59:59Z in milliseconds: the latest time this server stores or schedules. */
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * `nowMs + seconds`, in milliseconds, saturating at {@link MAX_TIME_MS}.
 * Zero, negative and non-finite-but-not-positive (NaN) seconds give `nowMs`;
 * +Infinity gives the maximum.
 */
export function deadlineAfter(nowMs: number, seconds: number): number {
  if (!(seconds > 0)) return Math.min(nowMs, MAX_TIME_MS);
  if (seconds >= (MAX_TIME_MS - nowMs) / 1000) return MAX_TIME_MS;
  return nowMs + seconds * 1000;
}

/**
 * Whole seconds from `nowMs` to `deadlineMs` (rounded up, never below 0),
 * finite for any input, so the result can feed a queue delay or an alarm.
 */
export function secondsUntil(deadlineMs: number, nowMs: number): number {
  const ms = Math.min(deadlineMs, MAX_TIME_MS) - nowMs;
  return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/**
 * The latest time a Durable Object alarm is set for: the runtime refuses
 * dates after 2189 ("This API doesn't support dates after 2189"). An alarm
 * capped here fires early, finds its deadline still ahead and sets itself
 * again, so the cap only costs one wake-up per 75 years.
 */
export const MAX_ALARM_MS = Date.UTC(2100, 0, 1);

/** `ms` as a Durable Object alarm time: at most {@link MAX_ALARM_MS}. */
export function alarmTime(ms: number): number {
  return Math.min(ms, MAX_ALARM_MS);
}
