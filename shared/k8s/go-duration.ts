/**
 * @module
 * Go's `time.ParseDuration`, which kubectl and the API server use for every
 * duration flag (`kubectl create token --duration 1h30m`): a signed sequence
 * of decimal numbers, each with a unit among ns, us (µs), ms, s, m, h. There
 * is no day unit: `7d` is refused, as Go refuses it.
 * @see https://pkg.go.dev/time#ParseDuration
 */

/** Milliseconds per unit (fractions for the sub-millisecond units). */
const UNITS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, "\u00b5s": 1e-3, "\u03bcs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};

/** The outcome of parsing: milliseconds, or Go's error message. */
export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

/**
 * Parses a Go duration into milliseconds (sub-millisecond parts kept as fractions).
 * @example parseGoDuration("1h30m") // { ok: true, ms: 5_400_000 }
 * @example parseGoDuration("7d") // { ok: false, message: 'time: unknown unit "d" in duration "7d"' }
 */
export function parseGoDuration(text: string): DurationResult {
  const quoted = JSON.stringify(text);
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  // Go accepts a bare zero, and only zero, without a unit.
  if (rest === "0") return { ok: true, ms: 0 };
  if (rest === "") return { ok: false, message: `time: invalid duration ${quoted}` };
  let total = 0;
  while (rest !== "") {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = number?.[1] ?? "";
    const fraction = number?.[2] ?? "";
    // At least one digit before or after the point ("5.", ".5"; not ".").
    if (!number || whole + fraction === "") return { ok: false, message: `time: invalid duration ${quoted}` };
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? "";
    if (unit === "") return { ok: false, message: `time: missing unit in duration ${quoted}` };
    const scale = UNITS[unit];
    if (scale === undefined) return { ok: false, message: `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}` };
    rest = rest.slice(unit.length);
    total += Number(`${whole || "0"}.${fraction || "0"}`) * scale;
  }
  // Go's limit: a Duration is an int64 of nanoseconds (about 292 years).
  if (total > 9_223_372_036_854.775) return { ok: false, message: `time: invalid duration ${quoted}` };
  return { ok: true, ms: sign * total };
}
