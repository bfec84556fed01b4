/**
 * @module
 * `?watch=true` on a collection: validated here, then served by the store
 * that owns the events — the object's own store for a single-object watch
 * (`fieldSelector=metadata.name=x`, what `kubectl get x -w`, `wait` and
 * `delete --wait` use), else the kind's collection store.
 */
import { resourceKey } from "../registry";
import { collectionStub, objectStub } from "../objects/client";
import { watchContentType } from "../watch/encode";
import { parseWatchRequest, type WatchFormat, watchedName } from "../watch/watch-request";
import { includeObjectOf, wantsTable } from "./respond";
import { protocolsToEcho } from "./websocket-bearer";
import type { HandlerContext } from "./write-handlers";

/** Whether a GET asks for a watch. */
export function isWatch(url: URL): boolean {
  const w = url.searchParams.get("watch");
  return w === "true" || w === "1";
}

function formatOf(ctx: HandlerContext): WatchFormat {
  const table = wantsTable(ctx.req.headers.get("accept"));
  if (!table) return { kind: "json" };
  return { kind: "table", version: table, includeObject: includeObjectOf(ctx.url.searchParams.get("includeObject") ?? undefined) };
}

/** Serves a watch over HTTP (chunked NDJSON) or, on an Upgrade request, a WebSocket. */
export async function watchHandler(ctx: HandlerContext): Promise<Response> {
  const kind = ctx.path.kind;
  const format = formatOf(ctx);
  const req = parseWatchRequest(resourceKey(kind), ctx.path.namespace, ctx.url.searchParams, format);
  const name = watchedName(req);
  const single = name !== undefined && (!kind.namespaced || req.namespace !== undefined);
  if ((ctx.req.headers.get("upgrade") ?? "").toLowerCase() === "websocket") {
    const target = single
      ? objectStub(ctx.env, { resource: req.resource, namespace: req.namespace ?? "", name })
      : collectionStub(ctx.env, req.resource);
    const forward = new Request("https://store/watch", { headers: ctx.req.headers });
    forward.headers.set("x-watch-request", JSON.stringify(req));
    // The store echoes the subprotocol chosen here: the first offered, never the one that carried a token.
    const [protocol] = protocolsToEcho(ctx.req.headers);
    if (protocol) forward.headers.set("sec-websocket-protocol", protocol);
    else forward.headers.delete("sec-websocket-protocol");
    return target.fetch(forward);
  }
  const stream = single
    ? await objectStub(ctx.env, { resource: req.resource, namespace: req.namespace ?? "", name }).watch(req)
    : await collectionStub(ctx.env, req.resource).watch(req);
  return new Response(stream, {
    status: 200,
    headers: {
      "content-type": watchContentType(format),
      // A compressing proxy (miniflare locally, Cloudflare's edge) would buffer the stream: events
      // must reach the client as they happen, so the body is never encoded.
      "content-encoding": "identity",
      "cache-control": "no-cache, private, no-transform",
      "x-content-type-options": "nosniff",
    },
  });
}
