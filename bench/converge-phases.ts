/**
 * The steps of bench/converge.ts against one server: a pool of C concurrent
 * clients on one keep-alive Agent (creates, status patches), a poller that
 * GETs an owner every 100 ms until its status matches, and the list that
 * names an owner's children.
 */
import type { Agent } from "node:https";
import { benchAgent } from "./load.ts";
import { send, type TimedResponse } from "./https-request.ts";

/** Where the server is. */
export interface Target {
  url: string;
  token: string;
}

/** A non-2xx answer; aborts the run with the Status body. */
export class StepFailed extends Error {}

const nsSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** Sends one request and insists on a 2xx. */
export async function ok(t: Target, agent: Agent, method: string, path: string, body?: string): Promise<TimedResponse> {
  const res = await send(t.url, t.token, agent, method, path, body);
  if (res.status < 200 || res.status > 299) throw new StepFailed(`${method} ${path} answered ${res.status}: ${res.body.slice(0, 500)}`);
  return res;
}

/** Creates a namespace. */
export async function createNamespace(t: Target, name: string): Promise<void> {
  const agent = benchAgent(1);
  try {
    await ok(t, agent, "POST", "/api/v1/namespaces", JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name } }));
  } finally {
    agent.destroy();
  }
}

/**
 * Opens every socket of `agent` with a cheap GET, so that no phase pays for
 * its clients' TLS handshakes (the controller path has none to pay).
 */
export async function warm(t: Target, agent: Agent, clients: number, ns: string): Promise<void> {
  await Promise.all(Array.from({ length: clients }, () => ok(t, agent, "GET", `/api/v1/namespaces/${ns}`)));
}

/**
 * Runs `count` requests from `clients` closed loops (request `i` is
 * `step(i)`); resolves with the wall time in ms from the first send to the
 * last answer. The first failure stops every loop and rejects.
 */
export async function pool(clients: number, count: number, step: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  let failed = false;
  const loop = async (): Promise<void> => {
    while (!failed && next < count) {
      const i = next++;
      try {
        await step(i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(clients, count) }, () => loop()));
  return nsSince(start);
}

function nameOf(body: string): string {
  const parsed: unknown = JSON.parse(body);
  const meta = typeof parsed === "object" && parsed !== null && "metadata" in parsed ? parsed.metadata : undefined;
  const name = typeof meta === "object" && meta !== null && "name" in meta ? meta.name : undefined;
  if (typeof name !== "string") throw new StepFailed(`no metadata.name in ${body.slice(0, 200)}`);
  return name;
}

/** POSTs `count` copies of `body` (which uses generateName) to `path`; the wall time and the names given. */
export async function createMany(t: Target, agent: Agent, clients: number, path: string, body: string, count: number): Promise<{ wallMs: number; names: string[] }> {
  const names: string[] = [];
  const wallMs = await pool(clients, count, async () => {
    names.push(nameOf((await ok(t, agent, "POST", path, body)).body));
  });
  return { wallMs, names };
}

/** Merge-patches `${path}/${name}/status` with `patch` for every name; the wall time. */
export async function patchStatuses(t: Target, agent: Agent, clients: number, path: string, names: readonly string[], patch: string): Promise<number> {
  return pool(clients, names.length, async (i) => {
    await ok(t, agent, "PATCH", `${path}/${names[i] ?? ""}/status`, patch);
  });
}

/** Every name in a collection, following `continue` tokens. */
export async function listNames(t: Target, agent: Agent, path: string): Promise<string[]> {
  const out: string[] = [];
  let token = "";
  do {
    const page = await ok(t, agent, "GET", `${path}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ""}`);
    const parsed = JSON.parse(page.body) as { items?: { metadata?: { name?: string } }[]; metadata?: { continue?: string } };
    for (const item of parsed.items ?? []) out.push(item.metadata?.name ?? "");
    token = parsed.metadata?.continue ?? "";
  } while (token !== "");
  return out;
}

/** What a poll saw. */
export interface PollResult {
  converged: boolean;
  /** From `startNs` to the end of the GET that first saw the condition (or to the give-up). */
  ms: number;
  polls: number;
  /** GETs that failed without an answer (timed out after 30 s) and were retried. */
  failedPolls: number;
  /** The status field's value in the last answer. */
  last: number;
  /**
   * [seconds from `startNs` to the end of the GET, the field's value], one
   * point per change of value (and the last poll): the converge curve.
   */
  curve: [number, number][];
}

/**
 * GETs `path` every `intervalMs` (start to start) until `field` of its
 * status equals `want`, or `timeoutMs` after `startNs`.
 */
export async function pollStatus(
  t: Target,
  agent: Agent,
  path: string,
  field: "replicas" | "readyReplicas",
  want: number,
  startNs: bigint,
  timeoutMs: number,
  intervalMs = 100,
): Promise<PollResult> {
  let polls = 0;
  let failedPolls = 0;
  let last = 0;
  const curve: [number, number][] = [];
  for (;;) {
    let res: TimedResponse;
    try {
      res = await ok(t, agent, "GET", path);
    } catch (err) {
      // A GET that times out while the controller saturates the server is a
      // slow poll, not a failed run: keep polling until the phase's deadline.
      if (err instanceof StepFailed) throw err;
      failedPolls++;
      const ms = nsSince(startNs);
      if (ms >= timeoutMs) return { converged: false, ms, polls, failedPolls, last, curve };
      continue;
    }
    polls++;
    const status = (JSON.parse(res.body) as { status?: Record<string, unknown> }).status ?? {};
    const value = status[field];
    last = typeof value === "number" ? value : 0;
    const ms = Number(res.endNs - startNs) / 1e6;
    const finished = last === want || ms >= timeoutMs;
    if (finished || curve.length === 0 || curve[curve.length - 1]?.[1] !== last) curve.push([ms / 1000, last]);
    if (last === want) return { converged: true, ms, polls, failedPolls, last, curve };
    if (ms >= timeoutMs) return { converged: false, ms, polls, failedPolls, last, curve };
    const wait = intervalMs - Number(res.endNs - res.startNs) / 1e6;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

/** Waits until `want` Nodes are Ready. */
export async function nodesReady(t: Target, want: number, timeoutMs = 120_000): Promise<void> {
  const agent = benchAgent(1);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const list = JSON.parse((await ok(t, agent, "GET", "/api/v1/nodes")).body) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
      const ready = list.items.filter((n) => (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")).length;
      if (ready >= want) return;
      if (Date.now() > deadline) throw new Error(`only ${ready}/${want} nodes Ready after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    agent.destroy();
  }
}
