/**
 * @module
 * One NodeTunnel per Node: it holds the WebSocket its host's agent dialled
 * out (hibernatable, so an idle tunnel costs nothing) and opens streams to
 * that host over it — pods/log as an HTTP body, exec/attach/port-forward and
 * a VM's console and VNC as the client's WebSocket. Hosts sit behind NAT:
 * nothing connects to them, they connect here.
 *
 * Rules: only the node's own credential holds its tunnel — a second tunnel
 * from another credential is refused while the first is up, one from the
 * same credential (an agent that restarted) replaces it. Streams are bounded
 * per node and per user (429) and closed after the idle timeout.
 */
import { DurableObject } from "cloudflare:workers";
import { ApiError } from "../../shared/k8s/errors";
import type { StreamError } from "../../shared/tunnel/frames";
import { Mux, type MuxStream } from "../../shared/tunnel/mux";
import { httpBody, relaySocket } from "./stream-consumers";
import { STREAM_REQUEST_HEADER, type StreamLimits, streamLimits, type StreamRequest, StreamRequestSchema } from "./stream-request";

/** The header naming the credential a tunnel is opened with (a hash of the node's token). */
export const TUNNEL_CREDENTIAL_HEADER = "x-duraplane-credential";
/** The header naming the node (the Durable Object cannot know its own name). */
export const TUNNEL_NODE_HEADER = "x-duraplane-node";

const TAG = "tunnel";
/** How long an agent may take to answer an open. */
const OPEN_TIMEOUT_MS = 10_000;
/** Close code telling an agent its tunnel was replaced by a newer one of its own. */
export const REPLACED_CLOSE_CODE = 4000;
/** Close code telling an agent its credentials were revoked. */
export const REVOKED_CLOSE_CODE = 4001;

interface TunnelAttachment {
  credential: string;
  node: string;
  /** Set when this side closed it: a closing socket may still read as open for a while. */
  dropped?: boolean;
}

interface OpenStream {
  user: string;
  lastActive: number;
  stream: MuxStream;
}

function statusResponse(err: ApiError): Response {
  const headers: Record<string, string> = {};
  if (err.details?.retryAfterSeconds !== undefined) headers["retry-after"] = String(err.details.retryAfterSeconds);
  return Response.json(err.toStatus(), { status: err.code, headers });
}

/** A host's tunnel and the streams over it. */
export class NodeTunnel extends DurableObject<Env> {
  private mux?: { socket: WebSocket; mux: Mux };
  private readonly open = new Map<number, OpenStream>();
  private readonly waiting = new Map<number, (error: StreamError | undefined) => void>();
  private nextId = 1 + Math.floor(Math.random() * 0x7fffffff);
  private idleTimer?: ReturnType<typeof setInterval>;
  private readonly limits: StreamLimits;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.limits = streamLimits(env);
  }

  override async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    try {
      if (path === "/connect") return this.acceptTunnel(request);
      if (path === "/stream") return await this.stream(request);
      return new Response("not found", { status: 404 });
    } catch (err) {
      if (err instanceof ApiError) return statusResponse(err);
      throw err;
    }
  }

  /** Whether an agent's tunnel is up (tests, the front's 503). */
  async connected(): Promise<boolean> {
    return this.tunnelSocket() !== undefined;
  }

  /** The node's credentials were revoked: its tunnel closes at once (a new credential may then open one). */
  async disconnect(reason: string): Promise<void> {
    const socket = this.tunnelSocket();
    if (socket) this.dropTunnel(socket, REVOKED_CLOSE_CODE, reason);
  }

  /** The agent's tunnel: accepted, refused (another credential holds it) or replacing its own older one. */
  private acceptTunnel(request: Request): Response {
    const credential = request.headers.get(TUNNEL_CREDENTIAL_HEADER) ?? "";
    const node = request.headers.get(TUNNEL_NODE_HEADER) ?? "";
    if ((request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket" || !credential || !node) {
      throw new ApiError(400, "BadRequest", "a tunnel is a WebSocket upgrade from the node's agent");
    }
    const current = this.tunnelSocket();
    if (current) {
      const held = current.deserializeAttachment() as TunnelAttachment | null;
      if (held?.credential !== credential) {
        throw new ApiError(409, "Conflict", `node "${node}" already has a tunnel open with another credential`);
      }
      this.dropTunnel(current, REPLACED_CLOSE_CODE, "replaced by a newer tunnel of the same node");
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [TAG]);
    const attachment: TunnelAttachment = { credential, node };
    server.serializeAttachment(attachment);
    this.muxFor(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Opens one stream to the host and answers with its body or the client's WebSocket. */
  private async stream(request: Request): Promise<Response> {
    const raw = request.headers.get(STREAM_REQUEST_HEADER);
    const parsed = raw ? StreamRequestSchema.safeParse(JSON.parse(raw)) : undefined;
    if (!parsed?.success) throw new ApiError(400, "BadRequest", "malformed stream request");
    const req = parsed.data;
    const socket = this.tunnelSocket();
    const node = (socket?.deserializeAttachment() as TunnelAttachment | null)?.node ?? "";
    if (!socket) {
      throw new ApiError(503, "ServiceUnavailable", `the node's agent has no tunnel to the control plane (is it running?)`, { retryAfterSeconds: 1 });
    }
    this.admit(req.user, node);
    const { mux } = this.muxFor(socket);
    const id = this.allocateId();
    const stream = mux.open({
      t: "open", id, kind: req.kind, target: req.target,
      ...(req.log ? { log: req.log } : {}), ...(req.process ? { process: req.process } : {}), ...(req.port ? { port: req.port } : {}),
      ...(req.guest ? { guest: req.guest } : {}),
    });
    const entry: OpenStream = { user: req.user, lastActive: Date.now(), stream };
    this.open.set(id, entry);
    const forget = stream.onClose;
    stream.onClose = (e) => {
      this.open.delete(id);
      forget(e);
    };
    const refused = await this.opened(id, stream);
    if (refused) {
      this.open.delete(id);
      throw new ApiError(refused.code, refused.reason, refused.message);
    }
    this.ensureIdleTimer();
    return this.deliver(req, entry);
  }

  private deliver(req: StreamRequest, entry: OpenStream): Response {
    const touch = (): void => {
      entry.lastActive = Date.now();
    };
    const { stream } = entry;
    if (req.protocol === undefined) {
      // A compressing proxy (miniflare locally, Cloudflare's edge) would buffer the body: `logs -f` must see lines as they come.
      return new Response(httpBody(stream, touch), {
        headers: { "content-type": "text/plain", "content-encoding": "identity", "cache-control": "no-cache, private, no-transform" },
      });
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    server.accept();
    relaySocket(stream, server, { kind: req.kind, protocol: req.protocol, command: req.process?.command ?? [], touch, holdMs: req.outputHoldMs ?? 0 });
    const headers: HeadersInit = req.protocol ? { "sec-websocket-protocol": req.protocol } : {};
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /** Waits for the agent's answer to an open: undefined when opened, else why not. */
  private opened(id: number, stream: MuxStream): Promise<StreamError | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        stream.reset({ code: 504, reason: "Timeout", message: "the node's agent did not answer in time" });
        resolve({ code: 504, reason: "Timeout", message: "the node's agent did not open the stream in time" });
      }, OPEN_TIMEOUT_MS);
      const done = (error: StreamError | undefined): void => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(error);
      };
      this.waiting.set(id, done);
      const before = stream.onClose;
      stream.onClose = (e) => {
        this.waiting.get(id)?.(e ?? { code: 500, reason: "InternalError", message: "the stream closed before it opened" });
        before(e);
      };
    });
  }

  private admit(user: string, node: string): void {
    if (this.open.size >= this.limits.perNode) {
      throw new ApiError(429, "TooManyRequests", `Too many requests: node "${node}" has ${this.open.size} streams open, the most it may`, { retryAfterSeconds: 1 });
    }
    let mine = 0;
    for (const s of this.open.values()) if (s.user === user) mine++;
    if (mine >= this.limits.perUser) {
      throw new ApiError(429, "TooManyRequests", `Too many requests: user "${user}" has ${mine} streams open on node "${node}", the most one user may`, { retryAfterSeconds: 1 });
    }
  }

  private allocateId(): number {
    do {
      this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    } while (this.open.has(this.nextId));
    return this.nextId;
  }

  private tunnelSocket(): WebSocket | undefined {
    return this.ctx.getWebSockets(TAG).find((ws) => ws.readyState === WebSocket.OPEN && !(ws.deserializeAttachment() as TunnelAttachment | null)?.dropped);
  }

  /** The mux of the current tunnel socket (rebuilt after hibernation: no stream outlives it then). */
  private muxFor(socket: WebSocket): { socket: WebSocket; mux: Mux } {
    if (this.mux?.socket === socket) return this.mux;
    this.mux?.mux.closeAll({ code: 503, reason: "ServiceUnavailable", message: "the node's tunnel was replaced" });
    const mux = new Mux({ sendText: (t) => socket.send(t), sendBinary: (b) => socket.send(b) }, {}, {
      onOpened: (stream) => this.waiting.get(stream.id)?.(undefined),
    });
    this.mux = { socket, mux };
    return this.mux;
  }

  private dropTunnel(ws: WebSocket, code: number, reason: string): void {
    if (this.mux?.socket === ws) {
      this.mux.mux.closeAll({ code: 503, reason: "ServiceUnavailable", message: `the node's tunnel closed: ${reason}` });
      this.mux = undefined;
    }
    try {
      const held = ws.deserializeAttachment() as TunnelAttachment | null;
      if (held) ws.serializeAttachment({ ...held, dropped: true } satisfies TunnelAttachment);
      ws.close(code, reason);
    } catch {
      // already closed
    }
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (this.tunnelSocket() !== ws) return;
    const { mux } = this.muxFor(ws);
    mux.receive(typeof message === "string" ? message : new Uint8Array(message));
  }

  /** Always reciprocate a close (1005/1006 cannot be echoed). */
  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.dropTunnel(ws, code === 1005 || code === 1006 ? 1000 : code, "the agent closed it");
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.dropTunnel(ws, 1011, "the tunnel failed");
  }

  /** Closes streams idle for longer than the timeout (upstream's --streaming-connection-idle-timeout). */
  private ensureIdleTimer(): void {
    if (this.idleTimer) return;
    const every = Math.max(1000, Math.min(30_000, this.limits.idleTimeoutMs / 4));
    this.idleTimer = setInterval(() => {
      const now = Date.now();
      for (const s of this.open.values()) {
        if (now - s.lastActive > this.limits.idleTimeoutMs) s.stream.reset({ code: 408, reason: "Timeout", message: "stream idle timeout" });
      }
      if (this.open.size === 0) {
        clearInterval(this.idleTimer);
        this.idleTimer = undefined;
      }
    }, every);
  }
}
