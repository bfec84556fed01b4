/**
 * A closed-loop HTTPS load generator for the benchmarks: N clients, each
 * sending its next request as soon as the previous one answered, over one
 * keep-alive Agent with exactly N sockets, timing every request.
 */
import { Agent, request } from "node:https";
import { IDLE_SOCKET_TIMEOUT_MS } from "../agent/http.ts";

/** One request to send: the path and its body, built per request index. */
export interface Shot {
  path: string;
  body: string;
}

/** What a phase measured. */
export interface PhaseResult {
  requests: number;
  /** From the first request sent to the last response read, in ms. */
  wallMs: number;
  /** Completed requests per second of wall time. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Latency at each whole percentile 0–100 (101 values, ms): the distribution, for the report's charts. */
  cdfMs: number[];
}

/** A request answered with a status other than 200/201; carries the response body (a Status). */
export class UnexpectedStatus extends Error {
  constructor(readonly status: number, readonly body: string, readonly path: string) {
    super(`POST ${path} answered ${status}: ${body}`);
  }
}

const REQUEST_TIMEOUT_MS = 30_000;

/** A keep-alive Agent for `clients` concurrent requests to the self-signed local server (idle sockets closed as agent/http.ts says why). */
export function benchAgent(clients: number): Agent {
  return new Agent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS, maxSockets: clients, rejectUnauthorized: false });
}

/** POSTs one JSON body; resolves with its latency in ns, rejects on a non-2xx-created status or error. */
export function post(base: string, token: string, agent: Agent, shot: Shot): Promise<bigint> {
  return new Promise((done, fail) => {
    const start = process.hrtime.bigint();
    const req = request(
      `${base}${shot.path}`,
      {
        method: "POST",
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          accept: "application/json",
          "content-length": Buffer.byteLength(shot.body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("error", fail);
        res.on("end", () => {
          const elapsed = process.hrtime.bigint() - start;
          const status = res.statusCode ?? 0;
          if (status === 200 || status === 201) done(elapsed);
          else fail(new UnexpectedStatus(status, Buffer.concat(chunks).toString("utf8"), shot.path));
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`POST ${shot.path} timed out after ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", fail);
    req.end(shot.body);
  });
}

/** The value at percentile `p` (0–100) of ascending `sorted`, by nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** `sorted`'s value at every whole percentile 0, 1, …, 100 (101 values), by nearest rank; p0 is the minimum. */
export function percentileLadder(sorted: readonly number[]): number[] {
  return Array.from({ length: 101 }, (_, p) => (p === 0 ? sorted[0] ?? Number.NaN : percentile(sorted, p)));
}

/** The median of `values` (the mean of the two middle ones when their number is even); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? Number.NaN) + hi) / 2;
}

/**
 * Sends `count` requests from `clients` concurrent loops; request `i` is
 * `shot(i)`. The first failure stops every loop and rejects the phase.
 */
export async function runPhase(
  base: string,
  token: string,
  agent: Agent,
  clients: number,
  count: number,
  shot: (i: number) => Shot,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let next = 0;
  let failed = false;
  const loop = async (): Promise<void> => {
    while (!failed && next < count) {
      const i = next++;
      try {
        latencies.push(Number(await post(base, token, agent, shot(i))) / 1e6);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: clients }, () => loop()));
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    wallMs,
    perSecond: (latencies.length / wallMs) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
    cdfMs: percentileLadder(latencies),
  };
}
