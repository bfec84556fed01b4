/**
 * @module
 * Query parameters shared by the write verbs (dryRun, fieldValidation,
 * fieldManager) and the checks every submitted object gets before storage
 * sees it (kind, apiVersion, name and namespace agree with the URL).
 */
import { badRequest, invalid } from "../../shared/k8s/errors";
import { isJsonObject, type Json, type JsonObject } from "../../shared/k8s/object";
import { apiVersionOf, type ResourceKind } from "../../shared/k8s/resource-kind";
import { fieldManagerProblem, managerFromUserAgent } from "../../shared/k8s/managed-fields";

/** Options of a write request. */
export interface WriteOptions {
  dryRun: boolean;
  strict: boolean;
}

/** Parses `dryRun` and `fieldValidation`. */
export function writeOptions(query: URLSearchParams): WriteOptions {
  const dry = query.getAll("dryRun");
  for (const d of dry) {
    if (d !== "All") throw badRequest(`dryRun: Unsupported value: "${d}": supported values: "All"`);
  }
  const validation = query.get("fieldValidation") ?? "";
  if (!["", "Ignore", "Warn", "Strict"].includes(validation)) {
    throw badRequest(`fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Warn", "Strict"`);
  }
  return { dryRun: dry.length > 0, strict: validation === "Strict" };
}

/**
 * The field manager a write is recorded under: the `fieldManager` parameter
 * (validated as upstream does: at most 128 bytes, printable; 422 on the
 * request's options kind), else the user agent's first part
 * (`kubectl/v1.32.4 (linux/amd64) …` → `kubectl`).
 */
export function fieldManagerOf(query: URLSearchParams, userAgent: string | null, optionsKind: "CreateOptions" | "UpdateOptions" | "PatchOptions"): string {
  const given = query.get("fieldManager");
  if (given === null || given === "") return managerFromUserAgent(userAgent);
  const problem = fieldManagerProblem(given);
  if (problem) {
    throw invalid(optionsKind, "", [{ reason: problem.startsWith("Too long") ? "FieldValueTooLong" : "FieldValueInvalid", field: "fieldManager", message: problem }], "meta.k8s.io");
  }
  return given;
}

function truncated(body: Json): string {
  const text = JSON.stringify(body);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Checks that a submitted object is an object of `expectKind` (default: the resource's kind). */
export function checkTypeMeta(kind: ResourceKind, body: Json, expect?: { apiVersion: string; kind: string }): JsonObject {
  if (!isJsonObject(body)) throw badRequest(`the request body must be a JSON object, got: ${truncated(body)}`);
  const want = expect ?? { apiVersion: apiVersionOf(kind), kind: kind.kind };
  if (typeof body.kind !== "string" || body.kind === "") throw badRequest(`Object 'Kind' is missing in '${truncated(body)}'`);
  if (typeof body.apiVersion !== "string" || body.apiVersion === "") {
    throw badRequest(`Object 'apiVersion' is missing in '${truncated(body)}'`);
  }
  if (body.apiVersion !== want.apiVersion || body.kind !== want.kind) {
    throw badRequest(
      `the object provided is ${body.apiVersion}, Kind=${body.kind}, but this endpoint serves ` +
        `${want.apiVersion}, Kind=${want.kind}`,
    );
  }
  if (body.metadata !== undefined && body.metadata !== null && !isJsonObject(body.metadata)) {
    throw badRequest("metadata must be a JSON object");
  }
  return body;
}

/** metadata of a checked body (an empty object when absent). */
export function metaOf(body: JsonObject): JsonObject {
  return isJsonObject(body.metadata) ? body.metadata : {};
}

/** The namespace in the body must match the URL's. */
export function checkNamespace(kind: ResourceKind, body: JsonObject, namespace: string | undefined): void {
  if (!kind.namespaced) return;
  const ns = metaOf(body).namespace;
  if (typeof ns === "string" && ns !== "" && ns !== namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
}

/** The name in the body must match the URL's (PUT, apply). */
export function checkName(body: JsonObject, name: string): void {
  const n = metaOf(body).name;
  if (typeof n === "string" && n !== "" && n !== name) {
    throw badRequest(`the name of the object (${n}) does not match the name on the URL (${name})`);
  }
}

/** The name a create addresses, or the generateName base to draw from. */
export function nameForCreate(kind: ResourceKind, body: JsonObject): { name?: string; generateName?: string } {
  const meta = metaOf(body);
  if (typeof meta.name === "string" && meta.name !== "") return { name: meta.name };
  if (typeof meta.generateName === "string" && meta.generateName !== "") return { generateName: meta.generateName };
  throw invalid(kind.kind, "", [
    { reason: "FieldValueRequired", field: "metadata.name", message: "Required value: name or generateName is required" },
  ], kind.group);
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * A DeleteOptions `gracePeriodSeconds` from the query (text) or the body
 * (a JSON number): an int64, as upstream decodes it, or a 400. Any int64 is
 * accepted: negative ones count as 1 s and huge ones saturate where the
 * deadline is computed (workers/objects/delete-rules.ts), so only what is no
 * int64 at all is refused here.
 */
export function gracePeriodOption(value: string | number): number {
  const integral = typeof value === "number" ? Number.isInteger(value) : /^-?[0-9]+$/.test(value);
  if (!integral) throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(value)}: must be an integer`);
  const big = BigInt(value);
  if (big > INT64_MAX || big < INT64_MIN) {
    throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(value)}: out of range for a 64-bit integer`);
  }
  return Number(big);
}
