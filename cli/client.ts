/**
 * @module
 * One JSON request to the control plane over node:https, trusting what the
 * kubeconfig says to trust (its CA, or nothing checked when it says
 * insecure-skip-tls-verify, as for the local dev server's self-signed
 * certificate), with the bearer token.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** How to reach the server and as whom. */
export interface Connection {
  server: string;
  token: string;
  ca?: string;
  insecureSkipTLSVerify: boolean;
  tlsServerName?: string;
}

/** A whole answer, its body parsed when it is JSON. */
export interface Answer {
  status: number;
  body: unknown;
}

/** Sends `method path` with an optional JSON body; rejects only when no answer came. */
export function call(conn: Connection, method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<Answer> {
  const url = new URL(path, conn.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: "application/json", authorization: `Bearer ${conn.token}`, "user-agent": "duraplane-cli" };
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  const tls = url.protocol === "https:"
    ? { rejectUnauthorized: !conn.insecureSkipTLSVerify, ...(conn.ca ? { ca: conn.ca } : {}), ...(conn.tlsServerName ? { servername: conn.tlsServerName } : {}) }
    : {};
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((done, fail) => {
    const req = send(url, { method, headers, ...tls }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text for the message
        }
        done({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on("error", fail);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url.pathname}: no answer from ${conn.server} within ${timeoutMs / 1000} s`)));
    req.on("error", fail);
    req.end(payload);
  });
}

/**
 * How kubectl reports a failed answer: `Error from server (Forbidden): …`,
 * and for 401 `error: You must be logged in to the server (Unauthorized)`.
 */
export function describeFailure(answer: Answer): string {
  const body = answer.body;
  const status = typeof body === "object" && body !== null ? (body as { reason?: unknown; message?: unknown }) : {};
  const message = typeof status.message === "string" ? status.message : String(body).slice(0, 300);
  if (answer.status === 401) return `error: You must be logged in to the server (${message || "Unauthorized"})`;
  const reason = typeof status.reason === "string" ? status.reason : `HTTP ${answer.status}`;
  return `Error from server (${reason}): ${message}`;
}
