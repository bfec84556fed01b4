/**
 * @module
 * `?watch=true` on a collection: validated here, then served by the store
 * that owns the events — the object's own store for a single-object watch
 * (`fieldSelector=metadata.name=x`, what `kubectl get x -w`, `wait` and
 * `delete --wait` use), else the kind's collection store.
 */
import type { Status } from "../../shared/k8s/errors";
import { resourceKey } from "../registry";
import { collectionStub, objectStub } from "../objects/client";
import type { Outcome } from "../objects/outcome";
import { watchContentType } from "../watch/encode";
import type { WatchStream } from "../watch/watch-hub";
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
  const req = parseWatchRequest(resourceKey(kind), ctx.path.namespace, ctx.url.searchParams, format, ctx.user);
  const name = watchedName(req);
  // A collection-resident kind (Events) has no object store: its collection filters by name.
  const single = name !== undefined && (!kind.namespaced || req.namespace !== undefined) && !kind.collectionResident;
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
  const store = single
    ? objectStub(ctx.env, { resource: req.resource, namespace: req.namespace ?? "", name })
    : collectionStub(ctx.env, req.resource);
  const opened: Outcome<WatchStream> = await store.watch(req);
  if (!opened.ok) return refusal(opened.status);
  const { id, stream } = opened.value;
  // A client that goes away cancels this side only (the cancel does not cross RPC): tell the store.
  const readable = withCancel(stream, () => store.cancelWatch(id));
  return new Response(readable, {
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

/** A watch the store refused (429 past a watcher cap), with its Retry-After. */
function refusal(status: Status): Response {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (status.details?.retryAfterSeconds !== undefined) headers["retry-after"] = String(status.details.retryAfterSeconds);
  return new Response(JSON.stringify(status), { status: status.code, headers });
}

/** `stream`, passed through, calling `onCancel` when its reader cancels it. */
function withCancel(stream: ReadableStream<Uint8Array>, onCancel: () => Promise<void>): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = await reader.read();
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    async cancel(reason) {
      await Promise.allSettled([onCancel(), reader.cancel(reason)]);
    },
  }, { highWaterMark: 0 });
}
