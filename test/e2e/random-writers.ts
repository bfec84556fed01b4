/**
 * Concurrent writers for end-to-end watch tests: each owns a few object
 * names and does a bounded series of random creates, label merge patches and
 * deletes over REST, logging every acknowledged write with the
 * resourceVersion the server returned (the ground truth a watcher must match).
 * Connection errors and 503/504 are retried for a bounded time (a server
 * restart in the middle); an outcome that is unknown because the connection
 * broke is never logged as acknowledged. Any other 5xx, and a 503/504 without
 * a Status body and Retry-After, is recorded as unexpected (the server must
 * answer a write it cannot finish with a retryable Status, never a 500).
 */
import { api, type ServerRef } from "./rest.ts";

/** A collection writers write to. */
export interface Target {
  /** Short name used in logs ("pods", "vmis"). */
  resource: string;
  /** Collection path, e.g. /api/v1/namespaces/ns/pods. */
  path: string;
  /** A full object to create with this name and labels. */
  body(name: string, labels: Record<string, string>): unknown;
}

/** One acknowledged write: the event type it must produce and its resourceVersion. */
export interface Ack {
  resource: string;
  name: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  rv: number;
  writer: number;
  at: number;
}

/** A failed attempt that was retried. */
export interface Retry {
  writer: number;
  what: string;
  error: string;
  at: number;
}

/** An answer the server must never give: a 5xx other than 503/504, or one without a Status and Retry-After. */
export interface Unexpected {
  writer: number;
  what: string;
  status: number;
  body: string;
  retryAfter: string | undefined;
  at: number;
}

/** A writer's plan and where it reports. */
export interface WriterOptions {
  server: ServerRef;
  id: number;
  targets: Target[];
  names: number;
  ops: number;
  random: () => number;
  acks: Ack[];
  retries: Retry[];
  /** Where answers that break the 5xx contract are recorded (the test asserts it stays empty). */
  unexpected: Unexpected[];
  t0: number;
  /** Give up on one operation after this long (ms). */
  retryFor: number;
}

interface Meta {
  kind?: string;
  code?: number;
  metadata?: { resourceVersion?: string };
}

/** A retryable answer as the API promises it: 503/504, a Status with that code, and Retry-After. */
function isRetryableStatus(status: number, body: Meta, retryAfter: string | undefined): boolean {
  return (status === 503 || status === 504) && body.kind === "Status" && body.code === status && retryAfter !== undefined;
}

/** A small seeded PRNG (mulberry32) so a failing run can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends one write, retrying transport errors and 5xx until `retryFor` runs out. */
async function send(opts: WriterOptions, what: string, method: string, path: string, body?: unknown, type?: string): Promise<{ status: number; body: Meta; retried: boolean }> {
  const deadline = Date.now() + opts.retryFor;
  let retried = false;
  for (;;) {
    let error: string;
    try {
      const res = await api<Meta>(opts.server, method, path, body, type);
      if (res.status < 500) return { ...res, retried };
      const retryAfter = [res.headers["retry-after"]].flat()[0];
      error = `HTTP ${res.status} retry-after=${retryAfter ?? "none"} ${JSON.stringify(res.body).slice(0, 300)}`;
      if (!isRetryableStatus(res.status, res.body, retryAfter)) {
        opts.unexpected.push({ writer: opts.id, what, status: res.status, body: JSON.stringify(res.body).slice(0, 300), retryAfter, at: Date.now() - opts.t0 });
      }
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    opts.retries.push({ writer: opts.id, what, error, at: Date.now() - opts.t0 });
    if (Date.now() > deadline) throw new Error(`writer ${opts.id}: ${what} kept failing for ${opts.retryFor} ms: ${error}`);
    retried = true;
    await sleep(250);
  }
}

function rvOf(res: { body: Meta }, what: string): number {
  const rv = Number(res.body.metadata?.resourceVersion);
  if (!Number.isInteger(rv) || rv <= 0) throw new Error(`${what}: response has no resourceVersion: ${JSON.stringify(res.body).slice(0, 300)}`);
  return rv;
}

/**
 * Runs one writer to completion. It tracks which of its names exist, so it
 * creates absent ones and patches or deletes present ones; after a retried
 * attempt, 409 AlreadyExists / 404 NotFound mean the earlier attempt landed.
 */
export async function runWriter(opts: WriterOptions): Promise<void> {
  const exists = new Map<string, boolean>();
  for (let step = 0; step < opts.ops; step++) {
    const target = opts.targets[Math.floor(opts.random() * opts.targets.length)];
    if (!target) throw new Error("no targets");
    const name = `w${opts.id}-${Math.floor(opts.random() * opts.names)}`;
    const key = `${target.resource}/${name}`;
    const what = `${step}: ${key}`;
    const ack = (type: Ack["type"], res: { body: Meta }): void => {
      opts.acks.push({ resource: target.resource, name, type, rv: rvOf(res, what), writer: opts.id, at: Date.now() - opts.t0 });
    };
    const labels = { writer: String(opts.id), step: String(step) };
    if (!exists.get(key)) {
      const res = await send(opts, `create ${what}`, "POST", target.path, target.body(name, labels));
      if (res.status === 201) ack("ADDED", res);
      else if (!(res.status === 409 && res.retried)) throw new Error(`create ${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      exists.set(key, true);
    } else if (opts.random() < 0.7) {
      const res = await send(opts, `patch ${what}`, "PATCH", `${target.path}/${name}`, { metadata: { labels } }, "application/merge-patch+json");
      if (res.status === 200) ack("MODIFIED", res);
      else throw new Error(`patch ${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    } else {
      const res = await send(opts, `delete ${what}`, "DELETE", `${target.path}/${name}`);
      if (res.status === 200) ack("DELETED", res);
      else if (!(res.status === 404 && res.retried)) throw new Error(`delete ${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      exists.set(key, false);
    }
    await sleep(Math.floor(opts.random() * 20));
  }
}
