/**
 * `npm run bench:watch`: W concurrent watchers on one collection (the pods
 * of one namespace) while one writer creates pods, for each W in
 * `--watchers`: write latency beside the W=0 floor of the same run,
 * delivery latency (write request sent → event received by a watcher), lost
 * events, and the resident memory of the server's workerd processes.
 *
 *   npx tsx bench/watch.ts [--watchers 0,1,100,1000] [--writes 200] [--warmup 10]
 *                          [--batch 50] [--drain-ms 10000] [--settle-ms 3000]
 *
 * Prints a table and writes the figures to bench/results/watch-<timestamp>.json.
 * Exits 1 if any phase lost, duplicated or garbled an event or a stream.
 */
import { randomBytes } from "node:crypto";
import { Agent } from "node:https";
import { IDLE_SOCKET_TIMEOUT_MS } from "../agent/http.ts";
import { parseArgs } from "node:util";
import type { LocalServer } from "../test/e2e/server.ts";
import { runBench } from "./bench-server.ts";
import { resourceVersionOf, send } from "./https-request.ts";
import { treeMemory } from "./process-memory.ts";
import { byRole, type MemorySample, type PhaseReport, phaseFailed, phaseReport, sampleOf, table } from "./watch-report.ts";
import { openStreams, type WatchStream } from "./watch-stream.ts";
import { startWriter, type Writer } from "./writer-process.ts";
import { intList } from "./bench-args.ts";

/** The whole run is cut off after this long, server stopped, exit 1. */
const DEADLINE_MS = 290_000;

const { values } = parseArgs({
  options: {
    watchers: { type: "string", default: "0,1,100,1000" },
    writes: { type: "string", default: "200" },
    warmup: { type: "string", default: "10" },
    batch: { type: "string", default: "50" },
    "drain-ms": { type: "string", default: "10000" },
    "settle-ms": { type: "string", default: "3000" },
  },
  allowPositionals: false,
});
const levels = intList("watchers", values.watchers, 0, 2000);
if (levels.length > 6) throw new Error("--watchers: at most 6 levels");
const [writes = 0] = intList("writes", values.writes, 1, 2000);
const [warmup = 0] = intList("warmup", values.warmup, 0, 100);
const [batch = 1] = intList("batch", values.batch, 1, 500);
const [drainMs = 0] = intList("drain-ms", values["drain-ms"], 0, 60_000);
const [settleMs = 0] = intList("settle-ms", values["settle-ms"], 0, 60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const elapsedMs = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;

let writer: Writer | undefined;
/** For the namespace create and the lists that give each phase its starting resourceVersion. */
const listAgent = new Agent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS, maxSockets: 1, rejectUnauthorized: false });

function memoryNow(s: LocalServer): MemorySample {
  const pid = s.process.pid;
  return pid === undefined ? { workerdMiB: Number.NaN, treeMiB: Number.NaN, workerd: [] } : sampleOf(treeMemory(pid), s.port);
}

/** Waits until every stream holds every written event, or `drainMs` passed; returns the time waited. */
async function drain(streams: WatchStream[], count: number): Promise<number> {
  const start = process.hrtime.bigint();
  const behind = () => streams.some((s) => s.state === "open" && s.received.size < count);
  while (behind() && elapsedMs(start) < drainMs) await sleep(20);
  return elapsedMs(start);
}

async function phase(s: LocalServer, ns: string, index: number, watchers: number, floor: PhaseReport | undefined, closedEarlier: number): Promise<PhaseReport> {
  // The writer warms its connection and the create path up first, so those
  // writes come before the watchers' starting resourceVersion.
  writer = await startWriter({ base: s.url, token: s.token, namespace: ns, prefix: `l${index}`, warmup, writes });
  const before = memoryNow(s);
  const list = await send(s.url, s.token, listAgent, "GET", `/api/v1/namespaces/${ns}/pods?limit=1`);
  if (list.status !== 200) throw new Error(`list answered ${list.status}: ${list.body}`);
  const rv = resourceVersionOf(list.body);
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(1, watchers), rejectUnauthorized: false });
  const openStart = process.hrtime.bigint();
  const streams = await openStreams(
    { base: s.url, token: s.token, agent, path: `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${rv}` },
    watchers,
    batch,
  );
  const openMs = elapsedMs(openStart);
  const failed = streams.filter((w) => w.state === "failed").length;
  console.log(`  ${streams.length - failed}/${watchers} watch streams open from rv ${rv} in ${openMs.toFixed(0)} ms${failed ? ` — ${failed} FAILED` : ""}`);
  try {
    const open = memoryNow(s);
    const records = await writer.run();
    writer = undefined;
    const waited = await drain(streams, records.length);
    const after = memoryNow(s);
    return phaseReport({ watchers, streams, openMs, closedEarlier, writes: records, drainMs: waited, memory: { before, open, after }, floor });
  } finally {
    for (const w of streams) w.close();
    agent.destroy();
    // Give the server time to learn that the clients went away. (Locally it
    // does not: see bench/README.md. Each abandoned stream is dropped only
    // once it has buffered the store's backlog limit of events.)
    await sleep(settleMs);
  }
}

function describe(r: PhaseReport): string {
  const parts = [`watchers=${r.watchers}: write (sent → answered) p50 ${r.writes.p50Ms.toFixed(1)} ms`];
  if (r.delivery) parts.push(`delivery (write sent → event read) p50 ${r.delivery.p50Ms.toFixed(1)} / p99 ${r.delivery.p99Ms.toFixed(1)} ms`);
  parts.push(`events ${r.events.received}/${r.events.expected}`, `drain ${r.drainMs.toFixed(0)} ms`);
  const m = r.memory;
  parts.push(`workerd RSS MiB ${byRole(m.before)} → ${byRole(m.open)} (open) → ${byRole(m.after)}`);
  return parts.join(", ");
}

function loudly(r: PhaseReport): void {
  if (!phaseFailed(r)) return;
  const e = r.events;
  console.error(`  !!! watchers=${r.watchers} FAILED: ${r.established}/${r.watchers} streams established, ${r.endedEarly} ended by the server,`);
  console.error(`  !!! ${e.missing} of ${e.expected} events missing (on ${e.streamsMissingEvents} streams), ${e.duplicates} duplicates, ${e.unexpected} unexpected`);
  for (const [reason, n] of Object.entries(r.streamErrors)) console.error(`  !!! ${n} × ${reason}`);
  for (const line of e.unexpectedSample) console.error(`  !!! unexpected: ${line}`);
}

async function run(s: LocalServer): Promise<PhaseReport[]> {
  const ns = `bench-${randomBytes(4).toString("hex")}`;
  const created = await send(s.url, s.token, listAgent, "POST", "/api/v1/namespaces",
    JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }));
  if (created.status !== 201) throw new Error(`namespace create answered ${created.status}: ${created.body}`);
  const reports: PhaseReport[] = [];
  let floor: PhaseReport | undefined;
  let closed = 0;
  for (const [index, watchers] of levels.entries()) {
    console.log(`phase ${index + 1}/${levels.length}: ${watchers} watchers${closed ? ` (the server may still feed ${closed} streams closed earlier)` : ""}`);
    const r = await phase(s, ns, index, watchers, floor, closed);
    closed += watchers;
    if (watchers === 0) floor ??= r;
    reports.push(r);
    console.log(`  ${describe(r)}`);
    loudly(r);
  }
  return reports;
}

await runBench({
  name: "watch",
  deadlineMs: DEADLINE_MS,
  beforeStop: () => {
    writer?.kill();
    writer = undefined;
    listAgent.destroy();
  },
}, async (server) => {
  console.log(`watchers ${levels.join(",")}; ${writes} measured sequential pod creates per phase after ${warmup} warm-up creates; streams opened ${batch} at a time`);
  const reports = await run(server);
  console.log(`\n${table(reports)}\n`);
  return {
    // Delivery was timed from the write's answer before; the marker tells a reader (bench/report-rows.ts) which.
    figures: { writes, warmup, batch, drainMs, settleMs, deliveryFrom: "request start", reports },
    ...(reports.some(phaseFailed) ? { failed: "some phase lost, duplicated or garbled events or streams: see !!! lines above" } : {}),
  };
});
