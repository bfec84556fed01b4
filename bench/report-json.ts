/**
 * Reading a suite's results JSON (bench/results/<suite>-<stamp>.json) without
 * trusting its shape: each accessor answers undefined where a field is
 * missing or of another type, so a report row is left out rather than wrong.
 */

/** A JSON value as read from a results file. */
export type Json = unknown;

/** The value at `path` (object keys and array indexes) under `v`. */
export function at(v: Json, ...path: (string | number)[]): Json {
  let cur = v;
  for (const key of path) {
    if (typeof key === "number") cur = Array.isArray(cur) ? cur[key] : undefined;
    else cur = typeof cur === "object" && cur !== null && !Array.isArray(cur) ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur;
}

/** A finite number at `path`, else undefined. */
export function num(v: Json, ...path: (string | number)[]): number | undefined {
  const n = at(v, ...path);
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/** A string at `path`, else undefined. */
export function str(v: Json, ...path: (string | number)[]): string | undefined {
  const s = at(v, ...path);
  return typeof s === "string" ? s : undefined;
}

/** An array at `path` (empty if absent). */
export function list(v: Json, ...path: (string | number)[]): Json[] {
  const a = at(v, ...path);
  return Array.isArray(a) ? a : [];
}

/** The finite numbers of the array at `path`. */
export function numbers(v: Json, ...path: (string | number)[]): number[] {
  return list(v, ...path).filter((n): n is number => typeof n === "number" && Number.isFinite(n));
}

/** The median of `values`, or undefined when there are none. */
export function medianOf(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const hi = s[mid] ?? Number.NaN;
  return s.length % 2 === 1 ? hi : ((s[mid - 1] ?? Number.NaN) + hi) / 2;
}
