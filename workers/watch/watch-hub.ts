/**
 * @module
 * The watchers of one store, over both sinks: HTTP streams (held in memory)
 * and WebSockets (held with the Durable Object Hibernation API, so an idle
 * socket costs nothing; its request and position live in the socket's
 * attachment and its session is rebuilt when the store wakes). Every commit is
 * handed to every session in order; a periodic tick, running while any
 * session needs it, sends bookmarks, ends sessions at their deadline and
 * closes stalled ones. Opening is bounded per store and per user (429).
 */
import { ApiError } from "../../shared/k8s/errors";
import { EventView, type StoredEvent } from "./event-filter";
import { HttpSink } from "./http-sink";
import { SocketSink } from "./socket-sink";
import { type EventSource, type SessionCheckpoint, WatchSession } from "./watch-session";
import type { WatchRequest } from "./watch-request";

/** How many watchers a store (one collection, or one object) and one user on it may hold open. */
export interface WatchLimits {
  perStore: number;
  perUser: number;
}

/** Defaults: one user cannot take more than a quarter of a store's watchers. */
export const DEFAULT_WATCH_LIMITS: Readonly<WatchLimits> = { perStore: 10_000, perUser: 2_500 };

/** A refused watch is retried after this many seconds. */
export const WATCH_RETRY_AFTER_SECONDS = 1;

/** An HTTP watch as a store hands it to the front: the stream, and the id to cancel it by. */
export interface WatchStream {
  id: string;
  stream: ReadableStream<Uint8Array>;
}

/** What a watch socket remembers across hibernation. */
interface SocketAttachment {
  req: WatchRequest;
  /** Set once the session is live. */
  checkpoint?: SessionCheckpoint;
  /** Set when the server ended the session (the socket may linger until the close handshake ends). */
  ended?: boolean;
}

const TAG = "watch";
const TICK_MS = 5000;

/** The tag that counts one user's sockets (tags are short; usernames need not be). */
function userTag(user: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < user.length; i++) {
    h ^= user.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `u:${h.toString(16)}:${user.length}`;
}

/** 429 TooManyRequests with upstream's Retry-After. */
function tooMany(message: string): ApiError {
  return new ApiError(429, "TooManyRequests", message, { retryAfterSeconds: WATCH_RETRY_AFTER_SECONDS });
}

/** A store's open watches. */
export class WatchHub {
  /** The caps in force (tests lower them on a live instance). */
  readonly limits: WatchLimits = { ...DEFAULT_WATCH_LIMITS };
  private readonly streams = new Map<string, { session: WatchSession; user: string }>();
  private readonly streamsPerUser = new Map<string, number>();
  private readonly sockets = new Map<WebSocket, WatchSession>();
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly source: EventSource,
  ) {}

  /** Open watchers of both kinds. */
  get size(): number {
    return this.streams.size + this.ctx.getWebSockets(TAG).length;
  }

  /** Opens an HTTP watch; throws 429 past a cap. */
  openStream(req: WatchRequest): WatchStream {
    const user = req.user ?? "";
    this.admit(user);
    const id = crypto.randomUUID();
    const session = new WatchSession(this.source, req, {
      timer: true,
      onClose: () => this.forgetStream(id, user),
    });
    const sink = new HttpSink(session);
    this.streams.set(id, { session, user });
    this.streamsPerUser.set(user, (this.streamsPerUser.get(user) ?? 0) + 1);
    session.start(sink);
    if (!session.isClosed()) this.ensureTicker();
    return { id, stream: sink.stream };
  }

  /** The front saw the client go away: end that stream (a cancel does not cross RPC by itself). */
  cancelStream(id: string): void {
    this.streams.get(id)?.session.close("cancelled");
  }

  /** A store's `fetch`: accepts the watch socket the front forwarded (429 past a cap, 400 if not one). */
  serveSocket(request: Request): Response {
    const req = watchRequestOf(request);
    if (!req) return new Response("expected a websocket watch upgrade", { status: 400 });
    try {
      this.admit(req.user ?? "");
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return Response.json(err.toStatus(), { status: err.code, headers: { "retry-after": String(WATCH_RETRY_AFTER_SECONDS) } });
    }
    // The front forwards only the subprotocol to echo (browsers fail a handshake that echoes none).
    const protocol = request.headers.get("sec-websocket-protocol");
    const headers: HeadersInit = protocol ? { "sec-websocket-protocol": protocol } : {};
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [TAG, userTag(req.user ?? "")]);
    const attachment: SocketAttachment = { req };
    server.serializeAttachment(attachment);
    this.startSocket(server, req, undefined);
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /** Delivers one committed event to every watcher, in commit order. */
  notify(ev: StoredEvent): void {
    const sockets = this.ctx.getWebSockets(TAG);
    if (this.streams.size === 0 && sockets.length === 0) return;
    const view = new EventView(ev);
    for (const { session } of this.streams.values()) session.notify(ev, view);
    for (const ws of sockets) this.socketSession(ws)?.notify(ev, view);
  }

  /** A store's `webSocketClose`/`webSocketError`: forget the session and reciprocate the close. */
  socketClosed(ws: WebSocket, code: number): void {
    this.sockets.get(ws)?.close("cancelled");
    this.sockets.delete(ws);
    try {
      // 1005/1006 cannot be echoed.
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  /** Closes every watcher (clients resume from their last resourceVersion). */
  closeAll(): void {
    for (const { session } of [...this.streams.values()]) session.close("shutdown");
    for (const ws of this.ctx.getWebSockets(TAG)) this.socketSession(ws)?.close("shutdown");
  }

  private admit(user: string): void {
    if (this.size >= this.limits.perStore) {
      throw tooMany(`too many watches of this resource: at most ${this.limits.perStore} may be open`);
    }
    const mine = (this.streamsPerUser.get(user) ?? 0) + this.ctx.getWebSockets(userTag(user)).length;
    if (mine >= this.limits.perUser) {
      throw tooMany(`too many watches of this resource by user "${user}": at most ${this.limits.perUser} may be open`);
    }
  }

  private startSocket(ws: WebSocket, req: WatchRequest, resume: SessionCheckpoint | undefined): WatchSession {
    const session = new WatchSession(this.source, req, {
      resume,
      onCheckpoint: (checkpoint) => {
        const attachment: SocketAttachment = { req, checkpoint };
        try {
          ws.serializeAttachment(attachment);
        } catch {
          // the socket is gone
        }
      },
      onClose: () => {
        this.sockets.delete(ws);
        const ended: SocketAttachment = { req, ended: true };
        try {
          ws.serializeAttachment(ended);
        } catch {
          // the socket is gone
        }
      },
    });
    this.sockets.set(ws, session);
    session.start(new SocketSink(ws, session));
    // A socket still sending history keeps the store awake until it is live (the tick sees it through).
    if (!session.isClosed()) this.ensureTicker();
    return session;
  }

  /** The session of a socket, rebuilt from its attachment after the store hibernated. */
  private socketSession(ws: WebSocket): WatchSession | undefined {
    const known = this.sockets.get(ws);
    if (known) return known;
    const attachment = ws.deserializeAttachment() as SocketAttachment | null;
    if (!attachment || attachment.ended) return undefined;
    if (!attachment.checkpoint) {
      // History was cut off by a restart: the client resumes from its last resourceVersion.
      this.socketClosed(ws, 1000);
      return undefined;
    }
    return this.startSocket(ws, attachment.req, attachment.checkpoint);
  }

  private ensureTicker(): void {
    this.ticker ??= setInterval(() => this.tick(), TICK_MS);
  }

  /**
   * Runs while an HTTP stream is open or a socket is still in history; idle
   * live sockets alone let the store hibernate (their deadline is checked
   * whenever an event wakes it).
   */
  private tick(): void {
    const now = Date.now();
    for (const { session } of [...this.streams.values()]) session.tick(now);
    for (const session of [...this.sockets.values()]) session.tick(now);
    const sessionsInHistory = [...this.sockets.values()].some((s) => !s.isLive());
    if (this.streams.size === 0 && !sessionsInHistory && this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private forgetStream(id: string, user: string): void {
    if (!this.streams.delete(id)) return;
    const n = (this.streamsPerUser.get(user) ?? 1) - 1;
    if (n <= 0) this.streamsPerUser.delete(user);
    else this.streamsPerUser.set(user, n);
  }
}

/** Reads the watch request the front attached to a forwarded upgrade. */
function watchRequestOf(request: Request): WatchRequest | undefined {
  if ((request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") return undefined;
  const raw = request.headers.get("x-watch-request");
  return raw ? (JSON.parse(raw) as WatchRequest) : undefined;
}
