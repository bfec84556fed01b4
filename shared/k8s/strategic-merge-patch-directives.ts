/**
 * @module
 * The directives of Kubernetes strategic merge patch and the errors for their
 * misuse, as k8s.io/apimachinery/pkg/util/strategicpatch and
 * k8s.io/apimachinery/pkg/util/mergepatch define them. kube-apiserver maps the
 * mergepatch format errors to 400 BadRequest and "lists of lists" to 422
 * (`interpretStrategicMergePatchError` in handlers/patch.go); upstream lets the
 * remaining ones (missing merge key, unknown `$patch` value) surface as 500,
 * which we answer as 400 because the fault is the request's.
 */
import { ApiError, badRequest } from "./errors";
import { getMember, jsonEqual } from "./json-value";
import { isJsonObject, type Json, type JsonObject } from "./object";

/** `$patch`: `replace` or `delete` on a map or list element. */
export const DIRECTIVE_MARKER = "$patch";
/** `$retainKeys`: keep only these keys of the original map. */
export const RETAIN_KEYS = "$retainKeys";
/** `$deleteFromPrimitiveList/<field>`: values to remove from a merged list of primitives. */
export const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
/** `$setElementOrder/<field>`: the final order of a merged list (kubectl apply always sends it). */
export const SET_ELEMENT_ORDER = "$setElementOrder";

/** mergepatch.ErrBadPatchFormatForPrimitiveList, with where it happened. */
export function badPrimitiveListFormat(detail: string): ApiError {
  return badRequest(`invalid patch format of primitive list: ${detail}`);
}

/** mergepatch.ErrBadPatchFormatForRetainKeys, with where it happened. */
export function badRetainKeysFormat(detail: string): ApiError {
  return badRequest(`invalid patch format of retainKeys: ${detail}`);
}

/** mergepatch.ErrBadPatchFormatForSetElementOrderList, with where it happened. */
export function badSetElementOrderFormat(detail: string): ApiError {
  return badRequest(`invalid patch format of setElementOrder list: ${detail}`);
}

/** mergepatch.ErrNoListOfLists: kube-apiserver answers it with 422. */
export function noListOfLists(path: string): ApiError {
  return new ApiError(422, "Invalid", `lists of lists are not supported (at ${path})`);
}

/** mergepatch.ErrBadPatchType: a `$patch` value other than replace/delete. */
export function unknownPatchType(directive: Json, map: JsonObject, path: string): ApiError {
  return badRequest(
    `unknown patch type: ${preview(directive)} in map: ${preview(map)} at ${path || "<root>"} ` +
      `($patch must be "replace" or "delete")`,
  );
}

/** mergepatch.ErrNoMergeKey: a merged list element without its merge key. */
export function noMergeKey(map: Json, mergeKey: string, path: string): ApiError {
  return badRequest(`map: ${preview(map)} does not contain declared merge key: ${mergeKey} (in list ${path})`);
}

/** The field a `<prefix>/<field>` directive key names; throws the prefix's format error otherwise. */
export function directiveField(key: string, prefix: string, path: string): string {
  const slash = key.indexOf("/");
  const field = slash < 0 ? "" : key.slice(slash + 1);
  if (slash < 0 || key.slice(0, slash) !== prefix || field === "") {
    const detail = `"${key}" at ${path || "<root>"} must be "${prefix}/<field>"`;
    throw prefix === SET_ELEMENT_ORDER ? badSetElementOrderFormat(detail) : badPrimitiveListFormat(detail);
  }
  return field;
}

/**
 * Applies `$retainKeys` (upstream `applyRetainKeysDirective`): every field the
 * patch sets must be listed, and fields of `original` that are not listed are
 * cleared. Removes the directive from `patch`; mutates both maps.
 */
export function applyRetainKeys(original: JsonObject, patch: JsonObject, path: string): void {
  const retain = getMember(patch, RETAIN_KEYS);
  if (retain === undefined) return;
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain) || !retain.every((k) => typeof k === "string")) {
    throw badRetainKeysFormat(`${RETAIN_KEYS} at ${path || "<root>"} must be a list of field names`);
  }
  const keep = new Set<Json>(retain);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(key)) {
      throw badRetainKeysFormat(`field "${key}" at ${path || "<root>"} is set but not listed in ${RETAIN_KEYS}`);
    }
  }
  for (const key of Object.keys(original)) {
    if (!keep.has(key)) delete original[key];
  }
}

/** The identity of a list element: its merge key's value, or the element itself for primitives. */
export function elementIdentity(element: Json, mergeKey: string | undefined): Json | undefined {
  if (mergeKey === undefined) return element;
  return isJsonObject(element) ? getMember(element, mergeKey) : undefined;
}

/** Position of the element with `element`'s identity in `list`, or -1. */
export function indexOfElement(list: readonly Json[], element: Json, mergeKey: string | undefined): number {
  const id = elementIdentity(element, mergeKey);
  if (id === undefined) return -1;
  return list.findIndex((other) => {
    const otherId = elementIdentity(other, mergeKey);
    return otherId !== undefined && jsonEqual(id, otherId);
  });
}

/**
 * Checks that the patch list names its elements in the same relative order as
 * the `$setElementOrder` list (upstream `validatePatchWithSetOrderList`);
 * deletions and other directive elements are not ordered.
 */
export function checkSetElementOrder(
  patchList: readonly Json[],
  order: readonly Json[],
  mergeKey: string | undefined,
  path: string,
): void {
  let p = 0;
  let o = 0;
  while (p < patchList.length && o < order.length) {
    const item = patchList[p] as Json;
    if (isJsonObject(item) && Object.hasOwn(item, DIRECTIVE_MARKER)) {
      p++;
      continue;
    }
    const expected = order[o] as Json;
    if (mergeKey !== undefined) {
      if (elementIdentity(item, mergeKey) === undefined) throw noMergeKey(item, mergeKey, path);
      if (elementIdentity(expected, mergeKey) === undefined) throw noMergeKey(expected, mergeKey, path);
    }
    if (indexOfElement([expected], item, mergeKey) === 0) p++;
    o++;
  }
  while (p < patchList.length && isDirectiveElement(patchList[p] as Json)) p++;
  if (p < patchList.length) {
    throw badRequest(
      `The order in patch list: ${preview(patchList as Json[])} doesn't match ${SET_ELEMENT_ORDER} list: ` +
        `${preview(order as Json[])} (at ${path})`,
    );
  }
}

function isDirectiveElement(item: Json): boolean {
  return isJsonObject(item) && Object.hasOwn(item, DIRECTIVE_MARKER);
}

/** Short JSON for error messages. */
export function preview(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
