/**
 * @module
 * JSON Pointer (RFC 6901) parsing and resolution over own members only, used
 * to check JSON Patch locations before applying them.
 */
import { getMember } from "./json-value";
import { isJsonObject, type Json } from "./object";

/** The reference tokens of `pointer`, unescaped; undefined when it is not a valid RFC 6901 pointer. */
export function parseJsonPointer(pointer: string): string[] | undefined {
  if (pointer === "") return [];
  if (!pointer.startsWith("/") || /~(?![01])/.test(pointer)) return undefined;
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** The pointer for `tokens` (inverse of {@link parseJsonPointer}). */
export function formatJsonPointer(tokens: readonly string[]): string {
  return tokens.map((t) => `/${t.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/** Outcome of {@link resolveJsonPointer}: the value found, or why the location is not usable. */
export interface PointerResolution {
  value?: Json;
  error?: string;
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * Resolves `tokens` in `doc`. Mode "existing" requires the value to exist (remove,
 * replace, test, from); "insert" only requires its parent to exist and, for
 * arrays, an index no greater than the length or "-" (add, move, copy).
 */
export function resolveJsonPointer(doc: Json, tokens: readonly string[], mode: "existing" | "insert"): PointerResolution {
  let current: Json = doc;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    const here = formatJsonPointer(tokens.slice(0, i));
    const last = i === tokens.length - 1;
    if (Array.isArray(current)) {
      if (last && mode === "insert" && token === "-") return {};
      if (!ARRAY_INDEX.test(token)) return { error: `"${token}" is not a valid index for the array at "${here}"` };
      const index = Number(token);
      const limit = last && mode === "insert" ? current.length + 1 : current.length;
      if (index >= limit) {
        return { error: `index ${index} is out of range for the array at "${here}" of length ${current.length}` };
      }
      current = current[index] ?? null;
    } else if (isJsonObject(current)) {
      const next = getMember(current, token);
      if (next === undefined) {
        return last && mode === "insert" ? {} : { error: `"${formatJsonPointer(tokens.slice(0, i + 1))}" does not exist` };
      }
      current = next;
    } else {
      return { error: `"${here}" is ${current === null ? "null" : `a ${typeof current}`}, not an object or array` };
    }
  }
  return { value: current };
}
