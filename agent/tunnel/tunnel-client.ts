/**
 * @module
 * The agent's end of its node's tunnel: one outbound WebSocket to
 * `/apis/hosts.duraplane.io/v1/nodes/{node}/tunnel` with the node's token,
 * kept open across drops and control-plane restarts with backoff, carrying
 * the streams the API opens (serve-stream.ts). Nothing listens on the host.
 */
import WebSocket from "ws";
import { Mux } from "../../shared/tunnel/mux.ts";
import { Backoff, type BackoffOptions } from "../backoff.ts";
import type { Logger } from "../log.ts";
import { type StreamProviders, serveStream } from "./serve-stream.ts";

/** How to reach the tunnel. */
export interface TunnelClientOptions {
  server: string;
  token: string;
  nodeName: string;
  insecureSkipTLSVerify?: boolean;
  providers: StreamProviders;
  log: Logger;
  backoff?: BackoffOptions;
  /** A tunnel with no frame for this long is presumed dead and redialled (pings keep a live one busy). */
  pingIntervalMs?: number;
}

/** Keeps the node's tunnel up. */
export class TunnelClient {
  private socket?: WebSocket;
  private mux?: Mux;
  private timer?: NodeJS.Timeout;
  private ping?: NodeJS.Timeout;
  private running = false;
  private readonly backoff: Backoff;
  private connects = 0;

  constructor(private readonly options: TunnelClientOptions) {
    this.backoff = new Backoff(options.backoff ?? { initialMs: 250, maxMs: 10_000 });
  }

  /** Whether the tunnel is open now. */
  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Tunnels opened so far (tests). */
  get connections(): number {
    return this.connects;
  }

  /** Streams open now. */
  get streams(): number {
    return this.mux?.size ?? 0;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.dial();
  }

  /** Closes the tunnel and stops redialling; open streams end. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.socket?.close(1000, "agent stopping");
    this.socket?.terminate();
    this.dropped();
  }

  /** Drops the connection as a network failure would (tests): the client redials. */
  drop(): void {
    this.socket?.terminate();
  }

  private dial(): void {
    if (!this.running) return;
    const { server, token, nodeName, insecureSkipTLSVerify, log } = this.options;
    const url = new URL(`/apis/hosts.duraplane.io/v1/nodes/${encodeURIComponent(nodeName)}/tunnel`, server);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: !insecureSkipTLSVerify, handshakeTimeout: 15_000, perMessageDeflate: false,
    });
    this.socket = ws;
    ws.binaryType = "nodebuffer";
    ws.on("open", () => {
      this.connects++;
      this.backoff.reset();
      log.info("tunnel open", { node: nodeName });
      const mux: Mux = new Mux(
        { sendText: (t) => ws.send(t), sendBinary: (b) => ws.send(b) },
        {},
        { onOpen: (frame, stream) => serveStream(frame, stream, mux, this.options.providers, log) },
      );
      this.mux = mux;
      this.ping = setInterval(() => ws.ping(), this.options.pingIntervalMs ?? 20_000);
      this.ping.unref();
    });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      this.mux?.receive(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString("utf8"));
    });
    ws.on("unexpected-response", (_req, res) => {
      log.warn("tunnel upgrade failed", { node: nodeName, status: res.statusCode });
      res.resume();
      ws.terminate();
    });
    ws.on("error", (err) => log.warn("tunnel error", { node: nodeName, error: err.message }));
    ws.on("close", (code) => {
      if (this.socket !== ws) return;
      if (this.running) log.warn("tunnel closed", { node: nodeName, code });
      this.dropped();
      if (!this.running) return;
      const delay = this.backoff.next();
      this.timer = setTimeout(() => this.dial(), delay);
      this.timer.unref();
    });
  }

  private dropped(): void {
    clearInterval(this.ping);
    this.mux?.closeAll({ code: 503, reason: "ServiceUnavailable", message: "the tunnel closed" });
    this.mux = undefined;
  }
}
