/**
 * @module
 * Response rendering: plain JSON objects and lists, or a meta.k8s.io/v1
 * Table when the client asks for `as=Table` (kubectl get). Protobuf is never
 * produced; clients that also accept JSON get JSON, as kubectl-wire.md says.
 */
import { ApiError, internalError } from "../../shared/k8s/errors";
import type { KubeObject } from "../../shared/k8s/object";
import { toTable } from "../../shared/k8s/printers/table";
import { apiVersionOf, type ResourceKind } from "../../shared/k8s/resource-kind";
import type { ListResult } from "../objects/collection-list";
import { transientFailure } from "../objects/transient";

const TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";
const TABLE_BETA_CONTENT_TYPE = "application/json;as=Table;v=v1beta1;g=meta.k8s.io";

/** Which Table version the Accept header asks for, if any. */
export function wantsTable(accept: string | null): "v1" | "v1beta1" | undefined {
  for (const part of (accept ?? "").split(",")) {
    const params = part.split(";").map((p) => p.trim());
    if (!params.includes("as=Table") || !params.includes("g=meta.k8s.io")) continue;
    if (params.includes("v=v1")) return "v1";
    if (params.includes("v=v1beta1")) return "v1beta1";
  }
  return undefined;
}

/** `includeObject` of a Table request (default Metadata). */
export function includeObjectOf(value: string | undefined): "None" | "Metadata" | "Object" {
  return value === "None" || value === "Object" ? value : "Metadata";
}

/** A JSON response with the API's content type. */
export function json(body: unknown, status = 200, contentType = "application/json"): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": contentType } });
}

/** A Status response; one that names a retry delay also carries it as `Retry-After`, as upstream's do. */
export function statusResponse(err: ApiError): Response {
  const res = json(err.toStatus(), err.code);
  const after = err.details?.retryAfterSeconds;
  if (after !== undefined && after > 0) res.headers.set("retry-after", String(after));
  return res;
}

/**
 * The answer to anything a handler threw: its own Status for an ApiError;
 * 503/504 with Retry-After for the platform's transient trouble (a Durable
 * Object restarting, a lost connection: objects/transient.ts); 500 for the rest.
 */
export function errorResponse(err: unknown, method: string): Response {
  if (err instanceof ApiError) return statusResponse(err);
  const transient = transientFailure(err, method);
  if (transient) {
    console.error(`transient failure answered ${transient.code}`, err);
    return statusResponse(transient);
  }
  console.error("unhandled error", err);
  return statusResponse(internalError(err instanceof Error ? err.message : String(err)));
}

function tableResponse(
  kind: ResourceKind,
  objects: KubeObject[],
  version: "v1" | "v1beta1",
  opts: { resourceVersion: string; continueToken?: string; remainingItemCount?: number; includeObject: string | undefined },
  status = 200,
): Response {
  const table = toTable(kind.printer, objects, {
    now: new Date(),
    resourceVersion: opts.resourceVersion,
    continueToken: opts.continueToken,
    remainingItemCount: opts.remainingItemCount,
    includeObject: includeObjectOf(opts.includeObject),
  });
  const body = version === "v1beta1" ? { ...table, apiVersion: "meta.k8s.io/v1beta1" } : table;
  return json(body, status, version === "v1" ? TABLE_CONTENT_TYPE : TABLE_BETA_CONTENT_TYPE);
}

/** One object, as JSON or a one-row Table. */
export function objectResponse(
  kind: ResourceKind,
  obj: KubeObject,
  accept: string | null,
  includeObject: string | undefined,
  status = 200,
): Response {
  const table = wantsTable(accept);
  if (table) {
    return tableResponse(kind, [obj], table, { resourceVersion: obj.metadata.resourceVersion ?? "", includeObject }, status);
  }
  return json(obj, status);
}

/**
 * A written object as {@link objectResponse} answers it, from the JSON its
 * store answered: sent as it is unless a Table needs the object, which spares
 * every create and update a parse and an encode of the object (the CPU
 * profile of creates put ~0.2 ms per create in re-encoding it).
 */
export function writtenResponse(
  kind: ResourceKind,
  written: { body: string; object: KubeObject },
  accept: string | null,
  includeObject: string | undefined,
  status = 200,
): Response {
  if (wantsTable(accept)) return objectResponse(kind, written.object, accept, includeObject, status);
  return new Response(written.body, { status, headers: { "content-type": "application/json" } });
}

/** A list page, as a `<Kind>List` or a Table. Items stay JSON text unless a Table needs them parsed. */
export function listResponse(
  kind: ResourceKind,
  page: ListResult,
  accept: string | null,
  includeObject: string | undefined,
): Response {
  const table = wantsTable(accept);
  if (table) {
    return tableResponse(kind, page.items.map((i) => JSON.parse(i) as KubeObject), table, {
      resourceVersion: page.resourceVersion,
      continueToken: page.continue,
      remainingItemCount: page.remainingItemCount,
      includeObject,
    });
  }
  const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue) metadata.continue = page.continue;
  if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
  const head = JSON.stringify({ kind: kind.listKind, apiVersion: apiVersionOf(kind), metadata });
  const body = `${head.slice(0, -1)},"items":[${page.items.join(",")}]}`;
  return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
}
