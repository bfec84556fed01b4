/**
 * @module
 * The agent's HTTP client: node:http / node:https with keep-alive, a bearer
 * token, and the option to skip TLS verification (the local dev server's
 * certificate is self-signed; Node's fetch cannot relax that per request).
 */
import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Backoff, type BackoffOptions, sleep } from "./backoff.ts";

/**
 * A keep-alive socket idle this long is closed by the client: before the 5 s
 * after which the local server (wrangler dev's kj HTTP server) closes an idle
 * connection, so that no request is written on a socket the server is closing
 * at that instant — Node does not resend a POST that meets the close
 * (ECONNRESET; cloudflare/workers-sdk#14641). undici keeps 4 s for the same
 * reason. Node's Agent applies it to free sockets only; a slow answer is not cut.
 */
export const IDLE_SOCKET_TIMEOUT_MS = 4_000;

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

/** How a request is tried again. */
export interface RetryOptions {
  /** No attempt starts after this long (ms) since the first. */
  deadlineMs: number;
  /** Delays between attempts (default 250 ms doubling to 5 s, jittered). */
  backoff?: BackoffOptions;
  /** Told about each retry (for logs). */
  onRetry?: (why: string, delayMs: number) => void;
}

/**
 * Answers worth another try: the server (or the proxy in front of it) could
 * not answer just then — 429, 502, 503 (wrangler's "Your worker restarted
 * mid-request", upstream's overload and timeout answers), 504.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/** Retry-After in ms (seconds form only, as Kubernetes sends it); undefined when absent or malformed. */
export function retryAfterMs(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers["retry-after"];
  return typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) * 1000 : undefined;
}

/** An HTTP client bound to one server. */
export class HttpClient {
  private readonly base: URL;
  private readonly agent: HttpAgent;

  constructor(private readonly options: HttpClientOptions) {
    this.base = new URL(options.server);
    this.agent = this.base.protocol === "https:"
      ? new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS, rejectUnauthorized: !options.insecureSkipTLSVerify })
      : new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS });
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
   * Sends a request, trying again after connection errors, timeouts and
   * retryable answers (isRetryableStatus) with backoff, honouring
   * Retry-After, until `retry.deadlineMs`. Only for calls that are safe to
   * repeat: reads, and writes the server recognises when repeated (the join
   * with its request id, webhook calls with their webhook-id).
   * Resolves with the last answer; rejects with the last error.
   */
  async requestWithRetry(method: string, path: string, options: RequestOptions, retry: RetryOptions): Promise<HttpResponse> {
    const deadline = Date.now() + retry.deadlineMs;
    const backoff = new Backoff(retry.backoff ?? { initialMs: 250, maxMs: 5000 });
    for (;;) {
      let why: string;
      let wait = backoff.next();
      try {
        const res = await this.request(method, path, options);
        if (!isRetryableStatus(res.status)) return res;
        why = describeError(res);
        wait = Math.max(wait, Math.min(retryAfterMs(res.headers) ?? 0, 30_000));
        if (Date.now() + wait > deadline || options.signal?.aborted) return res;
      } catch (err) {
        if (Date.now() + wait > deadline || options.signal?.aborted) throw err;
        why = err instanceof Error ? err.message : String(err);
      }
      retry.onRetry?.(why, wait);
      await sleep(wait, options.signal);
    }
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
