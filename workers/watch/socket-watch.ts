/**
 * @module
 * The WebSocket form of watch (each event one text frame), held with the
 * Durable Object Hibernation API so an idle watcher costs nothing: the
 * socket's watch request lives in its attachment, and the store wakes only
 * to deliver events. History (initial state, events since the requested
 * resourceVersion) is sent when the socket is accepted; after that, every
 * committed event is pushed in order.
 */
import { encodeBookmark, encodeEvent, encodeExpired } from "./encode";
import { EventView, eventFor, filterOf, type ObjectFilter, type StoredEvent } from "./event-filter";
import type { EventSource } from "./watcher";
import type { WatchRequest } from "./watch-request";

const TAG = "watch";
const BATCH = 500;

/** What a socket remembers across hibernation. */
interface SocketState {
  req: WatchRequest;
  /** Whether a Table-format socket already got its column definitions. */
  sentColumns: boolean;
}

const filters = new WeakMap<WebSocket, ObjectFilter | undefined>();

function filterFor(ws: WebSocket, req: WatchRequest): ObjectFilter | undefined {
  if (!filters.has(ws)) filters.set(ws, filterOf(req));
  return filters.get(ws);
}

function sendEvent(ws: WebSocket, state: SocketState, type: string, body: string): void {
  const withColumns = !state.sentColumns;
  ws.send(encodeEvent(state.req.resource, type as "ADDED", body, state.req.format, withColumns));
  if (withColumns && state.req.format.kind === "table") {
    state.sentColumns = true;
    ws.serializeAttachment(state);
  }
}

/**
 * Accepts a watch socket: sends its history, then leaves it to
 * {@link notifySockets}. `protocol` is the subprotocol to echo, if the
 * client offered any (browsers fail a handshake that echoes none).
 */
export function acceptWatchSocket(ctx: DurableObjectState, source: EventSource, req: WatchRequest, protocol?: string): Response {
  const headers: HeadersInit = protocol ? { "sec-websocket-protocol": protocol } : {};
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  ctx.acceptWebSocket(server, [TAG]);
  const state: SocketState = { req, sentColumns: false };
  server.serializeAttachment(state);
  const filter = filterFor(server, req);
  const current = source.currentRv();
  let position = req.resourceVersion ?? current;
  if (req.sendInitialEvents) {
    position = Math.max(current, req.resourceVersion ?? 0);
    let after = "";
    for (;;) {
      const rows = source.readSnapshot(position, after, BATCH, req.namespace);
      for (const row of rows) {
        after = row.key;
        const out = eventFor({ rv: position, type: "ADDED", body: row.body, prev: null }, filter);
        if (out) sendEvent(server, state, "ADDED", out.body);
      }
      if (rows.length < BATCH) break;
    }
    if (req.initialEventsEndBookmark) server.send(encodeBookmark(req.resource, position, true));
  } else if (position < source.compactedRv()) {
    server.send(encodeExpired(position, source.compactedRv() + 1));
    server.close(1000, "expired");
    return new Response(null, { status: 101, webSocket: client, headers });
  }
  // Synchronous from here to the end: no commit can slip between history and live delivery.
  for (;;) {
    const events = source.readEvents(position, BATCH);
    for (const ev of events) {
      position = ev.rv;
      const out = eventFor(ev, filter);
      if (out) sendEvent(server, state, out.type, out.body);
    }
    if (events.length < BATCH) break;
  }
  return new Response(null, { status: 101, webSocket: client, headers });
}

/** Pushes one committed event to every watch socket of this store. */
export function notifySockets(ctx: DurableObjectState, ev: StoredEvent): void {
  const sockets = ctx.getWebSockets(TAG);
  if (sockets.length === 0) return;
  const view = new EventView(ev);
  for (const ws of sockets) {
    const state = ws.deserializeAttachment() as SocketState | null;
    if (!state) continue;
    const out = eventFor(ev, filterFor(ws, state.req), view);
    if (!out) continue;
    try {
      sendEvent(ws, state, out.type, out.body);
    } catch {
      // The peer is gone; its close handler cleans up.
    }
  }
}

/** A store's `fetch`: accepts the watch socket the front forwarded, or answers 400. */
export function serveWatchSocket(ctx: DurableObjectState, source: EventSource, request: Request): Response {
  const req = watchRequestOf(request);
  if (!req) return new Response("expected a websocket watch upgrade", { status: 400 });
  // The front forwards only the subprotocol to echo.
  return acceptWatchSocket(ctx, source, req, request.headers.get("sec-websocket-protocol") ?? undefined);
}

/** A store's `webSocketClose`: always reciprocate (1005/1006 cannot be echoed). */
export function reciprocateClose(ws: WebSocket, code: number): void {
  try {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
  } catch {
    // already closed
  }
}

/** Reads the watch request the front attached to a forwarded upgrade. */
function watchRequestOf(request: Request): WatchRequest | undefined {
  if ((request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") return undefined;
  const raw = request.headers.get("x-watch-request");
  return raw ? (JSON.parse(raw) as WatchRequest) : undefined;
}
