/**
 * Plain REST calls to the test server (what another client — a controller,
 * a host agent — would send), over https with the self-signed certificate.
 */
import type { IncomingHttpHeaders } from "node:http";
import { Agent, request } from "node:https";
import { IDLE_SOCKET_TIMEOUT_MS } from "../../agent/http.ts";

const agent = new Agent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS, rejectUnauthorized: false });

/** The server fields a REST call needs. */
export interface ServerRef {
  url: string;
  token: string;
}

/**
 * No single call may hang a test: a request the server never answers (one
 * caught by a restart, say) fails after this long, like a client-side timeout.
 */
const REQUEST_TIMEOUT_MS = 20_000;

/**
 * Sends one request; resolves with the status and parsed JSON body. The
 * deadline is a wall-clock timer over the whole exchange, not the socket's
 * idle timeout, and every way the exchange can end (request error, response
 * error or abort, a close before the body ended) settles the promise, so a
 * server that dies mid-response cannot leave a caller waiting forever.
 */
export function api<T = unknown>(server: ServerRef, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: T; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish();
    };
    const fail = (err: Error): void => settle(() => reject(err));
    const req = request(`${server.url}${path}`, {
      method, agent,
      headers: { authorization: `Bearer ${server.token}`, ...(body !== undefined ? { "content-type": contentType } : {}) },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("error", fail);
      res.on("aborted", () => fail(new Error(`${method} ${path}: response aborted`)));
      res.on("close", () => {
        if (!res.complete) fail(new Error(`${method} ${path}: connection closed before the response ended`));
      });
      res.on("end", () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        settle(() => resolve({ status: res.statusCode ?? 0, body: parsed as T, headers: res.headers }));
      });
    });
    const timer = setTimeout(() => {
      const err = new Error(`${method} ${path}: no complete response within ${REQUEST_TIMEOUT_MS} ms`);
      fail(err);
      req.destroy(err);
    }, REQUEST_TIMEOUT_MS);
    req.on("error", fail);
    if (body !== undefined) req.write(typeof body === "string" ? body : JSON.stringify(body));
    req.end();
  });
}
