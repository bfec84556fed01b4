/**
 * @module
 * The read verbs: get (object, /status, /scale) and list, with selectors,
 * paging and Table output.
 */
import type { ListRequest } from "../objects/collection-list";
import { scaleOf } from "../objects/scale";
import { resourceKey } from "../registry";
import { refOfPath } from "./resource-path";
import { json, listResponse, objectResponse } from "./respond";
import { getObject, listObjects } from "../objects/client";
import type { HandlerContext } from "./write-handlers";
import { badRequest } from "../../shared/k8s/errors";

/** GET of one object, its /status (the whole object) or its /scale. */
export async function getHandler(ctx: HandlerContext, name: string): Promise<Response> {
  const obj = await getObject(ctx.env, refOfPath(ctx.path, name));
  if (ctx.path.subresource === "scale") return json(scaleOf(ctx.path.kind, obj));
  return objectResponse(ctx.path.kind, obj, ctx.req.headers.get("accept"), ctx.url.searchParams.get("includeObject") ?? undefined);
}

/** The list request a query describes. */
export function listRequestOf(ctx: HandlerContext): ListRequest {
  const q = ctx.url.searchParams;
  const limitText = q.get("limit");
  let limit: number | undefined;
  if (limitText !== null && limitText !== "") {
    if (!/^[0-9]+$/.test(limitText)) throw badRequest(`limit: Invalid value: "${limitText}": must be a non-negative integer`);
    limit = Number(limitText);
  }
  const req: ListRequest = { resource: resourceKey(ctx.path.kind) };
  if (ctx.path.namespace !== undefined) req.namespace = ctx.path.namespace;
  const set = (key: "labelSelector" | "fieldSelector" | "continue" | "resourceVersion" | "resourceVersionMatch"): void => {
    const v = q.get(key);
    if (v !== null && v !== "") req[key] = v;
  };
  set("labelSelector");
  set("fieldSelector");
  set("continue");
  set("resourceVersion");
  set("resourceVersionMatch");
  if (limit !== undefined) req.limit = limit;
  return req;
}

/** GET of a collection (a watch is served by watchHandler). */
export async function listHandler(ctx: HandlerContext): Promise<Response> {
  const page = await listObjects(ctx.env, listRequestOf(ctx));
  return listResponse(ctx.path.kind, page, ctx.req.headers.get("accept"), ctx.url.searchParams.get("includeObject") ?? undefined);
}
