/**
 * @module
 * A resource request parsed once — the kind, namespace, name and
 * subresource its path addresses and the verb it will be served as — and
 * kept on the request's context, so the authorizer decides on exactly what
 * the handler then serves. The verb is the audit's (requestInfo), which
 * reads `watch` as upstream's RequestInfoFactory does: only a GET of a
 * collection is a watch; a GET of a name is a get whatever its query says.
 */
import type { Context } from "hono";
import { requestInfo } from "../audit/request-info";
import { parseResourcePath, type ResourcePath } from "./resource-path";

/** The verbs a resource request is served as; anything else is answered 405. */
export type ResourceVerb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

const VERBS: ReadonlySet<string> = new Set<ResourceVerb>(["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]);

/** What a resource request addresses and how it is served. */
export interface ResourceRequest {
  /** Undefined for a method no resource verb maps to (405). */
  verb: ResourceVerb | undefined;
  path: ResourcePath;
}

/** Parses a request to `/api/v1/…` or `/apis/<group>/<version>/…`; throws 404 for a path that names no resource. */
export function parseResourceRequest(method: string, url: URL): ResourceRequest {
  const path = parseResourcePath(url.pathname);
  const verb = requestInfo(method, url).verb;
  return { verb: VERBS.has(verb) ? (verb as ResourceVerb) : undefined, path };
}

/** The context variable holding the parsed request. */
export interface ResourceRequestVariables {
  resourceRequest?: ResourceRequest;
}

/** The request's ResourceRequest, parsed on first use and kept on the context for every later reader. */
export function resourceRequestOf<E extends { Bindings: Env; Variables: ResourceRequestVariables }>(c: Context<E>): ResourceRequest {
  const known = c.get("resourceRequest");
  if (known) return known;
  const parsed = parseResourceRequest(c.req.method, new URL(c.req.url));
  c.set("resourceRequest", parsed);
  return parsed;
}
