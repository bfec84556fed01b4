/**
 * @module
 * JSON Patch (RFC 6902), the `application/json-patch+json` patch type, applied
 * with fast-json-patch. Errors follow kube-apiserver's `jsonPatcher.applyJSPatch`
 * (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go):
 * - a document that does not decode as a patch → 400 BadRequest;
 * - more than 10000 operations → 413 RequestEntityTooLarge;
 * - an operation that cannot be applied (failed `test`, missing path, index out
 *   of range) → 422 Invalid with no details.
 * - `copy` operations that together add more than MAX_JSON_PATCH_COPY_BYTES
 *   (upstream's `JSONPatchMaxCopyBytes`) → 422 with evanphx/json-patch's message.
 * Upstream's 422 carries only "the server rejected our request due to an error in
 * our request" (it drops evanphx/json-patch's text); ours carries the reason, so
 * kubectl prints `The request is invalid: <reason>`.
 * Deliberate difference: upstream decodes operations lazily, so an unknown `op`
 * or a missing `path` only fails while applying (422); we validate the whole
 * document first and answer 400, before touching the object.
 * Cost: every operation is checked here, so fast-json-patch runs without its own
 * validation (which deep-clones the whole document for each `copy` and `move`);
 * an operation costs the length of its path plus the size of its value, and
 * the copies of one patch are bounded, so 10,000 operations stay cheap.
 */
import { applyOperation, JsonPatchError, type Operation } from "fast-json-patch";
import { ApiError, badRequest, requestEntityTooLarge } from "./errors";
import { copyJson, getMember } from "./json-value";
import { jsonSizeWithin, MAX_JSON_PATCH_COPY_BYTES } from "./limits";
import { isJsonObject, type Json } from "./object";
import { parseJsonPointer, resolveJsonPointer } from "./json-pointer";

/** kube-apiserver's `maxJSONPatchOperations`. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const OPS = ["add", "remove", "replace", "move", "copy", "test"] as const;
type OpName = (typeof OPS)[number];

/**
 * Applies an RFC 6902 patch document to `target` and returns the new document.
 * Neither input is mutated. Throws {@link ApiError}: 400 for a malformed
 * document, 413 for too many operations, 422 when an operation does not apply.
 * @see https://www.rfc-editor.org/rfc/rfc6902
 * @example applyJsonPatch({ spec: { replicas: 1 } }, [{ op: "replace", path: "/spec/replicas", value: 3 }])
 */
export function applyJsonPatch(target: Json, operations: Json): Json {
  const ops = decodeJsonPatch(operations);
  let doc = copyJson(target);
  let copied = 0;
  ops.forEach((op, index) => {
    if (op.op === "move") {
      doc = applyMove(doc, op, index);
      return;
    }
    checkApplies(doc, op);
    if (op.op === "copy") copied = countCopy(doc, op, copied);
    doc = applyChecked(doc, op, index);
  });
  return doc;
}

/**
 * Adds the size of the value a `copy` duplicates to the patch's running total,
 * refusing (422) past MAX_JSON_PATCH_COPY_BYTES as evanphx/json-patch does for
 * kube-apiserver. The value is measured only up to the remaining budget.
 */
function countCopy(doc: Json, op: Extract<Operation, { op: "copy" }>, copied: number): number {
  const value = resolveJsonPointer(doc, parseJsonPointer(op.from) ?? [], "existing").value ?? null;
  const total = copied + jsonSizeWithin(value, MAX_JSON_PATCH_COPY_BYTES - copied);
  if (total > MAX_JSON_PATCH_COPY_BYTES) {
    throw unprocessable(
      `Unable to complete the copy, the accumulated size increase of copy is ${total}, ` +
        `exceeding the limit ${MAX_JSON_PATCH_COPY_BYTES}`,
    );
  }
  return total;
}

/**
 * `move` as RFC 6902 §4.4 defines it: remove `from`, then add its value at
 * `path`, checked on the document without the source. The document is our
 * private copy and a failure discards it, so it is changed in place, never
 * copied (a move of a large subtree costs as much as a small one).
 */
function applyMove(doc: Json, op: Extract<Operation, { op: "move" }>, index: number): Json {
  const from = parseJsonPointer(op.from) ?? [];
  const tokens = parseJsonPointer(op.path) ?? [];
  const source = resolveJsonPointer(doc, from, "existing");
  if (source.error !== undefined) {
    throw unprocessable(`move operation does not apply: doc is missing from path: "${op.from}" (${source.error})`);
  }
  if (from.length < tokens.length && from.every((t, i) => t === tokens[i])) {
    throw unprocessable(`move operation does not apply: cannot move "${op.from}" into its own child "${op.path}"`);
  }
  const value = source.value ?? null;
  // Only a move of the root onto itself has an empty `from` here (anything else would be into its own child).
  if (tokens.length === 0) return value;
  const base = applyChecked(doc, { op: "remove", path: op.from }, index);
  const found = resolveJsonPointer(base, tokens, "insert");
  if (found.error !== undefined) {
    throw unprocessable(`move operation does not apply: doc is missing path: "${op.path}" (${found.error})`);
  }
  return applyChecked(base, { op: "add", path: op.path, value }, index);
}

/**
 * Validates a JSON Patch document and returns deep copies of its operations.
 * Throws 400 BadRequest naming the offending operation, or 413 past
 * {@link MAX_JSON_PATCH_OPERATIONS} (as kube-apiserver).
 */
export function decodeJsonPatch(operations: Json): Operation[] {
  if (!Array.isArray(operations)) {
    throw badRequest(`json patch must be a JSON array of operations, got ${kindOf(operations)}`);
  }
  if (operations.length > MAX_JSON_PATCH_OPERATIONS) {
    throw requestEntityTooLarge(
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${operations.length}`,
    );
  }
  return operations.map(decodeOperation);
}

function decodeOperation(raw: Json, index: number): Operation {
  const where = `json patch operation ${index}`;
  if (!isJsonObject(raw)) throw badRequest(`${where} must be an object, got ${kindOf(raw)}`);
  const op = getMember(raw, "op");
  if (typeof op !== "string" || !(OPS as readonly string[]).includes(op)) {
    const got = op === undefined ? "no op" : `op ${JSON.stringify(op)}`;
    throw badRequest(`${where} has ${got}; op must be one of ${OPS.join(", ")}`);
  }
  const name = op as OpName;
  const path = pointerField(raw, "path", `${where} (${name})`);
  switch (name) {
    case "remove":
      return { op: name, path };
    case "move":
    case "copy":
      return { op: name, path, from: pointerField(raw, "from", `${where} (${name})`) };
    default: {
      const value = getMember(raw, "value");
      if (value === undefined) throw badRequest(`${where} (${name} ${path}) is missing "value"`);
      return { op: name, path, value: copyJson(value) };
    }
  }
}

function pointerField(raw: Record<string, Json>, field: "path" | "from", where: string): string {
  const value = getMember(raw, field);
  if (typeof value !== "string") {
    throw badRequest(`${where} ${value === undefined ? "is missing" : "has a non-string"} "${field}"`);
  }
  if (parseJsonPointer(value) === undefined) {
    throw badRequest(
      `${where} has ${field} ${JSON.stringify(value)}, which is not a JSON pointer ` +
        `(it must be empty or start with "/", with "~" written as "~0" and "/" inside a key as "~1")`,
    );
  }
  return value;
}

/**
 * Checks, before fast-json-patch runs, that the operation's locations exist
 * (`move` is checked by applyMove): fast-json-patch would see inherited
 * properties (`toString`) and accept an empty array index, and its own
 * errors name no path.
 */
function checkApplies(doc: Json, op: Operation): void {
  const tokens = parseJsonPointer(op.path) ?? [];
  if (op.op === "copy") {
    const source = resolveJsonPointer(doc, parseJsonPointer(op.from) ?? [], "existing");
    if (source.error !== undefined) {
      throw unprocessable(`copy operation does not apply: doc is missing from path: "${op.from}" (${source.error})`);
    }
  }
  if (tokens.length === 0) {
    if (op.op === "remove") throw unprocessable(`remove operation does not apply: cannot remove the whole document`);
    return;
  }
  const mode = op.op === "add" || op.op === "copy" ? "insert" : "existing";
  const found = resolveJsonPointer(doc, tokens, mode);
  if (found.error !== undefined) {
    throw unprocessable(`${op.op} operation does not apply: doc is missing path: "${op.path}" (${found.error})`);
  }
}

function applyChecked(doc: Json, op: Operation, index: number): Json {
  try {
    // The document is our private copy and each operation value a fresh copy, so mutating is safe.
    // No validation by fast-json-patch: checkApplies did it, and fast-json-patch's own
    // validation of copy/move deep-clones the whole document.
    return applyOperation(doc, op, false, true, true, index).newDocument;
  } catch (err) {
    if (err instanceof JsonPatchError && err.name === "TEST_OPERATION_FAILED" && op.op === "test") {
      const actual = resolveJsonPointer(doc, parseJsonPointer(op.path) ?? [], "existing").value;
      throw unprocessable(
        `testing value at "${op.path}" failed: expected ${preview(op.value as Json)} but found ${preview(actual ?? null)}`,
      );
    }
    const reason = err instanceof Error ? err.message : String(err);
    throw unprocessable(`${op.op} operation at "${op.path}" does not apply: ${reason}`);
  }
}

/** kube-apiserver answers an inapplicable patch with NewGenericServerResponse(422): reason Invalid, no details. */
function unprocessable(message: string): ApiError {
  return new ApiError(422, "Invalid", message);
}

function kindOf(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function preview(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
