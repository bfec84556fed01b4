/**
 * @module
 * The agent's HTTP client: node:http / node:https with keep-alive, a bearer
 * token, and the option to skip TLS verification (the local dev server's
 * certificate is self-signed; Node's fetch cannot relax that per request).
 */
import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** How to reach the control plane. */
export interface HttpClientOptions {
  /** Base URL, e.g. https://127.0.0.1:8787. */
  server: string;
  /** Sent as `Authorization: Bearer <token>` unless a request sets its own. */
  token?: string;
  /** Accept any certificate (kubeconfig's insecure-skip-tls-verify). */
  insecureSkipTLSVerify?: boolean;
  /** A request without an answer for this long fails (not applied to streams). */
  timeoutMs?: number;
}

/** A whole answer. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One request. */
export interface RequestOptions {
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** An HTTP client bound to one server. */
export class HttpClient {
  private readonly base: URL;
  private readonly agent: HttpAgent;

  constructor(private readonly options: HttpClientOptions) {
    this.base = new URL(options.server);
    this.agent = this.base.protocol === "https:"
      ? new HttpsAgent({ keepAlive: true, rejectUnauthorized: !options.insecureSkipTLSVerify })
      : new HttpAgent({ keepAlive: true });
  }

  /** The server's base URL. */
  get server(): string {
    return this.options.server;
  }

  /** Sends a request and reads the whole answer; rejects on network errors and timeouts only. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const res = await this.open(method, path, options, this.options.timeoutMs ?? 30_000, false);
    res.setEncoding("utf8");
    let text = "";
    for await (const chunk of res) text += String(chunk);
    return { status: res.statusCode ?? 0, headers: res.headers, text };
  }

  /**
   * Sends a request and resolves with the response head; the caller reads
   * the body (watch streams). Aborting `signal` destroys the response.
   */
  stream(path: string, options: RequestOptions = {}): Promise<IncomingMessage> {
    return this.open("GET", path, options, this.options.timeoutMs ?? 30_000, true);
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  private open(method: string, path: string, options: RequestOptions, timeoutMs: number, stream: boolean): Promise<IncomingMessage> {
    const url = new URL(path, this.base);
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (this.options.token && !Object.keys(headers).some((h) => h.toLowerCase() === "authorization")) {
      headers.authorization = `Bearer ${this.options.token}`;
    }
    if (options.body !== undefined) {
      headers["content-type"] ??= "application/json";
      headers["content-length"] = String(Buffer.byteLength(options.body));
    }
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.agent, signal: options.signal }, (res) => {
        // For a stream the timeout covers only the head: a watch may then stay quiet as long as the server likes.
        if (stream) req.setTimeout(0);
        resolve(res);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url.pathname}: no answer within ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(options.body);
    });
  }
}

/** Parses a JSON answer, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The `message` of a Kubernetes Status answer, else the start of the body. */
export function describeError(res: HttpResponse): string {
  const body = parseJson(res.text);
  if (typeof body === "object" && body !== null && "message" in body && typeof body.message === "string") {
    return `${res.status}: ${body.message}`;
  }
  return `${res.status}: ${res.text.slice(0, 200)}`;
}
