/**
 * @module
 * Building JSON objects the way Go's `encoding/json` renders decoded structs:
 * zero scalars under `omitempty` vanish, repeated fields accumulate.
 */
import { isJsonObject, type Json, type JsonObject } from "../object";

/** Sets `obj[key]`, or removes it when `value` is Go's zero value ("" or 0), as `omitempty` does. */
export function setNonZero(obj: JsonObject, key: string, value: string | number): void {
  if (value === "" || value === 0) delete obj[key];
  else obj[key] = value;
}

/** `obj[key]` as an object, created empty on first use (a repeated map field accumulates into it). */
export function memberObject(obj: JsonObject, key: string): JsonObject {
  const existing = obj[key];
  if (isJsonObject(existing)) return existing;
  const created: JsonObject = {};
  obj[key] = created;
  return created;
}

/** `obj[key]` as an array, created empty on first use (a repeated field appends to it). */
export function memberArray(obj: JsonObject, key: string): Json[] {
  const existing = obj[key];
  if (Array.isArray(existing)) return existing;
  const created: Json[] = [];
  obj[key] = created;
  return created;
}
