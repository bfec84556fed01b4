/**
 * @module
 * A bound on audit rows for requests refused before anyone was authenticated
 * (401, and 429 from the failed-authentication limit). Each would otherwise
 * be one D1 insert, so a flood of bad tokens would cost a write per request.
 * Up to `REFUSED_AUDIT_LIMIT` such rows are written per window (per isolate);
 * the rest are counted, and the next row written says how many were left out
 * and since when, so the log still shows that a flood happened.
 */

/** Refusal rows written per window, per isolate. */
export const REFUSED_AUDIT_LIMIT = 20;
/** The window (ms). */
export const REFUSED_AUDIT_WINDOW_MS = 60_000;

/** What to do with one refusal: skip it, or record it (noting the ones skipped before it). */
export type Admission = { record: false } | { record: true; omitted?: { count: number; since: number } };

/** Counts refusals in fixed windows; see the module comment. */
export class RefusalSampler {
  private windowStart = Number.NEGATIVE_INFINITY;
  private recorded = 0;
  private omitted = 0;
  private omittedSince = 0;

  constructor(readonly limit = REFUSED_AUDIT_LIMIT, readonly windowMs = REFUSED_AUDIT_WINDOW_MS) {}

  /** Decides about one refusal seen at `now` (ms). */
  admit(now: number): Admission {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.recorded = 0;
    }
    if (this.recorded >= this.limit) {
      if (this.omitted === 0) this.omittedSince = now;
      this.omitted++;
      return { record: false };
    }
    this.recorded++;
    if (this.omitted === 0) return { record: true };
    const omitted = { count: this.omitted, since: this.omittedSince };
    this.omitted = 0;
    return { record: true, omitted };
  }
}

/** The note a recorded refusal carries about the ones left out before it. */
export function omittedNote(omitted: { count: number; since: number }): string {
  return `(${omitted.count} more unauthenticated requests refused since ${new Date(omitted.since).toISOString()} were not recorded)`;
}
