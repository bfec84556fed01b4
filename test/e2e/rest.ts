/**
 * Plain REST calls to the test server (what another client — a controller,
 * a host agent — would send), over https with the self-signed certificate.
 */
import { Agent, request } from "node:https";

const agent = new Agent({ keepAlive: true, rejectUnauthorized: false });

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

/** Sends one request; resolves with the status and parsed JSON body. */
export function api<T = unknown>(server: ServerRef, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, {
      method, agent, timeout: REQUEST_TIMEOUT_MS,
      headers: { authorization: `Bearer ${server.token}`, ...(body !== undefined ? { "content-type": contentType } : {}) },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body: parsed as T });
      });
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no response within ${REQUEST_TIMEOUT_MS} ms`)));
    if (body !== undefined) req.write(typeof body === "string" ? body : JSON.stringify(body));
    req.end();
  });
}
