/**
 * @module
 * JSON Merge Patch (RFC 7386), the `application/merge-patch+json` patch type.
 * kube-apiserver applies it with evanphx/json-patch `MergePatch`; kubectl sends
 * it for custom resources (VirtualMachine) and for `kubectl scale`.
 */
import { copyJson, getMember, jsonEqual, setMember } from "./json-value";
import { isJsonObject, type Json, type JsonObject } from "./object";

/**
 * Applies an RFC 7386 merge patch: objects merge recursively, `null` deletes a
 * member, anything that is not an object (arrays included) replaces the target
 * whole. Neither input is mutated and the result shares no structure with them.
 * @see https://www.rfc-editor.org/rfc/rfc7386#section-2
 * @example applyMergePatch({ a: 1, b: 2 }, { b: null, c: 3 }) // → { a: 1, c: 3 }
 */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isJsonObject(patch)) return copyJson(patch);
  const result = (isJsonObject(target) ? copyJson(target) : {}) as JsonObject;
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      // An absent member merges like null: the patch value is taken with its nulls removed.
      setMember(result, key, applyMergePatch(getMember(result, key) ?? null, value));
    }
  }
  return result;
}

/**
 * Computes the merge patch that turns `from` into `to` (as evanphx/json-patch
 * `CreateMergePatch`): removed members become `null`, changed members carry
 * their new value, nested objects are diffed recursively, arrays are sent whole.
 * RFC 7386 cannot express a member whose value is `null` inside an object of
 * `to`; such members come out deleted when the patch is applied.
 * @example createMergePatch({ a: 1, b: 2 }, { a: 1, c: 3 }) // → { b: null, c: 3 }
 */
export function createMergePatch(from: Json, to: Json): Json {
  if (!isJsonObject(from) || !isJsonObject(to)) return copyJson(to);
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) {
    if (!Object.hasOwn(to, key)) setMember(patch, key, null);
  }
  for (const [key, value] of Object.entries(to)) {
    const old = getMember(from, key);
    if (old === undefined) {
      setMember(patch, key, copyJson(value));
    } else if (!jsonEqual(old, value)) {
      setMember(patch, key, isJsonObject(old) && isJsonObject(value) ? createMergePatch(old, value) : copyJson(value));
    }
  }
  return patch;
}
