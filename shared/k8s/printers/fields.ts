/**
 * @module
 * Defensive readers for loosely typed objects. Printers see whatever is
 * stored, so every field is read as Go would see a decoded struct: a missing
 * or mistyped field is the zero value (`""`, `0`, `false`, empty list).
 */
import { isJsonObject } from "../object";

/** One step of a path: an object member or a list index. */
export type PathStep = string | number;

/**
 * Follows `path` from `value`; undefined as soon as a step is missing or the
 * value at that point has the wrong shape. A JSON `null` also reads as
 * undefined, since Go decodes it to a nil pointer or zero value.
 * @example at(pod, "status", "containerStatuses", 0, "ready")
 */
export function at(value: unknown, ...path: PathStep[]): unknown {
  let current = value;
  for (const step of path) {
    if (typeof step === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (!isJsonObject(current) || !Object.hasOwn(current, step)) return undefined;
      current = current[step];
    }
  }
  return current ?? undefined;
}

/** The string, or `""` (Go's zero value) for anything else. */
export function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The number, or `0` for anything else (int32 fields such as restartCount). */
export function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** True only for the boolean `true`, as a Go bool field defaults to false. */
export function bool(value: unknown): boolean {
  return value === true;
}

/** The list, or an empty one for anything else. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The string-valued members of a map such as `metadata.labels`; other members are skipped. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isJsonObject(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string") out[k] = v;
  }
  return out;
}
