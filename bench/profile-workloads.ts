/**
 * The workloads bench/profile runs under the profiler, one per request type.
 * Each one resolves with how many requests it made: the floor, the creates
 * and the watch phase count their own requests; the host phases count the webhook
 * POSTs that wrangler logged while they ran (the agents batch observations,
 * so the count cannot be derived from the objects).
 */
import type { Agent } from "node:https";
import type { LocalServer } from "../test/e2e/server.ts";
import { ok, pool, type Target } from "./converge-phases.ts";
import { FleetWatch } from "./fleet-watch.ts";
import { benchAgent, runPhase } from "./load.ts";
import { podBody } from "./pod-body.ts";
import type { WorkloadResult } from "./profile-phase.ts";
import { openStreams } from "./watch-stream.ts";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** wrangler's log line of one request to a node's report webhook (reports and heartbeats alike). */
const WEBHOOK_LINE = /\[wrangler:info\] POST \/webhooks\/v1\/nodes\/[^/\s]+\/reports /g;

/** Counts the webhook POSTs wrangler logged since `offset` of the server's output. */
export function webhookPostsSince(server: LocalServer, offset: number): number {
  return server.logs().slice(offset).match(WEBHOOK_LINE)?.length ?? 0;
}

/**
 * Waits until at least `n` webhook POSTs were logged since `offset`: restarted
 * agents take seconds to load on a busy machine, and their Nodes look Ready
 * all along (the earlier heartbeats are recent), so the Nodes cannot tell.
 */
export async function webhookPostsReach(server: LocalServer, offset: number, n: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (webhookPostsSince(server, offset) < n) {
    if (Date.now() > deadline) throw new Error(`only ${webhookPostsSince(server, offset)} of ${n} webhook POSTs within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** `count` pod creates in `ns` from `clients` closed loops (the pod of bench/writes). */
export async function createPods(t: Target, agent: Agent, ns: string, prefix: string, count: number, clients: number): Promise<WorkloadResult> {
  const r = await runPhase(t.url, t.token, agent, clients, count, (i) => ({ path: `/api/v1/namespaces/${ns}/pods`, body: podBody(`${prefix}-${i}`, "profile") }));
  return { requests: r.requests, details: { clients, perSecond: r.perSecond, p50Ms: r.p50Ms, p99Ms: r.p99Ms } };
}

/**
 * `count` floor writes from `clients` closed loops: `POST /debug/bench-floor/<prefix>-<i>`
 * with the pod of bench/writes, one new Durable Object written per request
 * (bench/writes' floor; the server must run with `benchFloor`).
 */
export async function floorWrites(t: Target, agent: Agent, prefix: string, count: number, clients: number): Promise<WorkloadResult> {
  const r = await runPhase(t.url, t.token, agent, clients, count, (i) => {
    const key = `${prefix}-${i}`;
    return { path: `/debug/bench-floor/${key}`, body: podBody(key, "profile") };
  });
  return { requests: r.requests, details: { clients, perSecond: r.perSecond, p50Ms: r.p50Ms, p99Ms: r.p99Ms } };
}

/** Deletes every pod of `ns` (none is bound: they go at once) and waits until the list is empty. */
export async function clearPods(t: Target, ns: string): Promise<void> {
  const agent = benchAgent(1);
  try {
    const path = `/api/v1/namespaces/${ns}/pods`;
    await ok(t, agent, "DELETE", path);
    const deadline = Date.now() + 60_000;
    while ((JSON.parse((await ok(t, agent, "GET", `${path}?limit=1`)).body) as { items: unknown[] }).items.length > 0) {
      if (Date.now() > deadline) throw new Error(`pods of ${ns} still there 60 s after their deletecollection`);
      await sleep(300);
    }
  } finally {
    agent.destroy();
  }
}

/**
 * Opens `watchers` watch streams on the pods of `ns` (from a list's
 * resourceVersion, as bench/watch does) and returns a workload that creates
 * `creates` pods one after another and waits until every stream holds every
 * one (or `drainMs` passed); the streams are closed afterwards.
 */
export async function watchWorkload(t: Target, ns: string, watchers: number, creates: number, drainMs: number): Promise<{ run: () => Promise<WorkloadResult>; close: () => void }> {
  const streamAgent = benchAgent(watchers);
  const writer = benchAgent(1);
  const listed = await ok(t, writer, "GET", `/api/v1/namespaces/${ns}/pods`);
  const rv = (JSON.parse(listed.body) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? "0";
  const streams = await openStreams({ base: t.url, token: t.token, agent: streamAgent, path: `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${rv}` }, watchers, 50);
  const failed = streams.filter((s) => s.state !== "open");
  if (failed.length > 0) throw new Error(`${failed.length} of ${watchers} watch streams did not open: ${failed[0]?.error ?? ""}`);
  const close = (): void => {
    for (const s of streams) s.close();
    streamAgent.destroy();
    writer.destroy();
  };
  const run = async (): Promise<WorkloadResult> => {
    const created = await createPods(t, writer, ns, "watched", creates, 1);
    const deadline = Date.now() + drainMs;
    while (streams.some((s) => s.received.size < creates && s.state === "open") && Date.now() < deadline) await sleep(20);
    const delivered = streams.reduce((n, s) => n + s.received.size, 0);
    const lost = watchers * creates - delivered;
    if (lost > 0) throw new Error(`watch phase: ${lost} of ${watchers * creates} events not delivered within ${drainMs} ms`);
    return { requests: created.requests, details: { ...created.details, watchers, deliveries: delivered } };
  };
  return { run, close };
}

const VMI_SPEC = { domain: { devices: {}, resources: { requests: { memory: "64Mi", cpu: "100m" } } } };

/**
 * Creates `count` bare VMIs in `ns` (no owner, so no controller reacts to
 * their status) and waits until the scheduler bound every one; returns the
 * workload that then waits, under the profiler, until the hosts report
 * every one Running: what is left in that window is the agents' reports
 * (and their watch fan-out), the simulated boot being longer than binding.
 */
export async function reportsWorkload(t: Target, server: LocalServer, ns: string, count: number, timeoutMs: number): Promise<{ run: () => Promise<WorkloadResult>; close: () => void }> {
  const agent = benchAgent(4);
  const path = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;
  let wake: () => void = () => {};
  const watch = await FleetWatch.open(t.url, t.token, agent, path, () => wake());
  const close = (): void => {
    watch.close();
    agent.destroy();
  };
  const until = async (what: string, done: () => boolean): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`reports phase: ${what} not reached within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  };
  const bound = (): number => [...watch.perNode().values()].reduce((a, b) => a + b, 0);
  await pool(4, count, async (i) => {
    await ok(t, agent, "POST", path, JSON.stringify({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: `vmi-${i}` }, spec: VMI_SPEC }));
  });
  await until(`all ${count} VMIs bound`, () => bound() >= count);
  const run = async (): Promise<WorkloadResult> => {
    const offset = server.logs().length;
    const runningBefore = watch.runningCount();
    await until(`all ${count} VMIs Running`, () => watch.runningCount() >= count);
    // The last report's answer is logged just after its watch event went out.
    await sleep(200);
    return { requests: webhookPostsSince(server, offset), details: { vmis: count, runningBeforeProfile: runningBefore, watchErrors: watch.errors } };
  };
  return { run, close };
}

/** Lets the hosts idle for `ms` (only heartbeats flow) and counts the webhook POSTs meanwhile. */
export async function heartbeatsWorkload(server: LocalServer, ms: number): Promise<WorkloadResult> {
  const offset = server.logs().length;
  await sleep(ms);
  return { requests: webhookPostsSince(server, offset), details: { idleMs: ms } };
}
