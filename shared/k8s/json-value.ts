/**
 * @module
 * Helpers on decoded JSON values shared by the patch engines: structural
 * equality (as Go's `reflect.DeepEqual` on decoded JSON), deep copies and
 * safe member assignment.
 */
import { isJsonObject, type Json, type JsonObject } from "./object";

/** The keys of `o` that JSON would keep (a member set to undefined is no member). */
function definedKeys(o: JsonObject): string[] {
  return Object.keys(o).filter((k) => o[k] !== undefined);
}

/**
 * True when `a` and `b` are the same JSON value (objects compared by keys in
 * any order, arrays by position), as their JSON texts would be: a member set
 * to undefined counts as absent.
 */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i] as Json));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = definedKeys(a);
    if (keys.length !== definedKeys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k] as Json, b[k] as Json));
  }
  return false;
}

/** A deep copy that shares no structure with `value` (unlike `deepCopy`, keeps `__proto__` members). */
export function copyJson(value: Json): Json {
  if (Array.isArray(value)) return value.map(copyJson);
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) setMember(out, k, copyJson(v));
    return out;
  }
  return value;
}

/**
 * Sets `obj[key] = value` as an own data property. Plain assignment of a
 * `__proto__` key (which JSON.parse produces as an ordinary member) would
 * change the object's prototype instead.
 */
export function setMember(obj: JsonObject, key: string, value: Json): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** `obj[key]` if it is an own member, else undefined (never a prototype property such as `toString`). */
export function getMember(obj: JsonObject, key: string): Json | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
