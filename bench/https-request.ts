/**
 * One timed JSON request to the local server (self-signed https, bearer
 * token), answering with the status, the body text and when the request
 * started and its last byte arrived, on the process-wide monotonic clock
 * (`process.hrtime.bigint()` reads CLOCK_MONOTONIC, so times taken in
 * different processes of one machine compare directly).
 */
import { type Agent, request } from "node:https";

/** What came back. */
export interface TimedResponse {
  status: number;
  body: string;
  /** When the request was handed to the agent, in ns. */
  startNs: bigint;
  /** When the last byte of the response was read, in ns. */
  endNs: bigint;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** Sends `method path` with an optional JSON body and reads the whole answer. */
export function send(base: string, token: string, agent: Agent, method: string, path: string, body?: string): Promise<TimedResponse> {
  return new Promise((done, fail) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${token}`, accept: "application/json" };
    if (body !== undefined) {
      headers["content-type"] = method === "PATCH" ? "application/merge-patch+json" : "application/json";
      headers["content-length"] = Buffer.byteLength(body);
    }
    const startNs = process.hrtime.bigint();
    const req = request(`${base}${path}`, { method, agent, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("error", fail);
      res.on("end", () => {
        const endNs = process.hrtime.bigint();
        done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), startNs, endNs });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out after ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", fail);
    req.end(body);
  });
}

/** `metadata.resourceVersion` of a JSON object or list, as a number; throws if absent. */
export function resourceVersionOf(body: string): number {
  const parsed: unknown = JSON.parse(body);
  const metadata = typeof parsed === "object" && parsed !== null && "metadata" in parsed ? parsed.metadata : undefined;
  const rv = typeof metadata === "object" && metadata !== null && "resourceVersion" in metadata ? metadata.resourceVersion : undefined;
  const n = typeof rv === "string" ? Number(rv) : Number.NaN;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`no resourceVersion in ${body.slice(0, 200)}`);
  return n;
}
