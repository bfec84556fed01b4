/**
 * What one request costs inside the control plane, counted: per request type,
 * the Durable Object calls, SQLite statements, D1 queries, queue sends, JSON
 * parses and stringifies, and the bytes that crossed RPC (as JSON), from a
 * cost build of the Worker (`npm start -- --cost`, workers/cost/). Each phase
 * resets the counters, makes its requests, waits until the work they left
 * behind (reconciles, fan-out) has settled, and divides by its requests.
 *
 *   npm run bench:cost
 *   npx tsx bench/cost.ts [--short] [--count 50] [--watchers 20] [--hosts 2] [--heartbeat-s 10] [--vmis 10]
 *
 * `--short` is the CI mode: a handful of each, so the bench cannot rot. The
 * run fails (exit 1) when an idle heartbeat writes its Node: counts do not
 * depend on the machine's load, so that check holds on any machine.
 * Locally the Worker and every Durable Object share one isolate, so the
 * counters see a request's whole cost, the reconciles it queued included
 * (and whatever periodic work — resyncs, node lifecycle — ran in the same
 * window, which is why a phase waits for quiet rather than a fixed time).
 */
import { parseArgs } from "node:util";
import { type LocalHost, startHosts, stopHosts } from "../scripts/local-hosts.ts";
import { runBench } from "./bench-server.ts";
import { createNamespace, nodesReady, ok, type Target } from "./converge-phases.ts";
import { benchAgent } from "./load.ts";
import { podBody } from "./pod-body.ts";
import { openStreams, type WatchStream } from "./watch-stream.ts";

const { values } = parseArgs({
  options: {
    short: { type: "boolean", default: false },
    count: { type: "string" },
    watchers: { type: "string" },
    hosts: { type: "string" },
    "heartbeat-s": { type: "string" },
    vmis: { type: "string" },
  },
});

function intFlag(name: string, raw: string | undefined, full: number, short: number): number {
  if (raw === undefined) return values.short ? short : full;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, got ${raw}`);
  return n;
}

const COUNT = intFlag("count", values.count, 50, 5);
const WATCHERS = intFlag("watchers", values.watchers, 20, 2);
const HOSTS = intFlag("hosts", values.hosts, 2, 1);
const HEARTBEAT_S = intFlag("heartbeat-s", values["heartbeat-s"], 20, 4);
const VMIS = intFlag("vmis", values.vmis, 10, 2);
/** Agents' heartbeat interval in this bench: often, so the heartbeat phase sees many. */
const HEARTBEAT_INTERVAL_MS = 1000;
const NS = "cost";

type Counts = Record<string, number>;
interface Snapshot {
  sinceMs: number;
  counts: Counts;
}

/** One phase's outcome: what it sent, what the counters saw, per request. */
interface PhaseCost {
  phase: string;
  /** What one "request" is in this phase. */
  unit: string;
  requests: number;
  counts: Counts;
  settleMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The bench's one connection to the server: requests (non-2xx throws) and the cost counters. */
class Client {
  readonly agent = benchAgent(4);

  constructor(private readonly target: Target) {}

  async call(method: string, path: string, body?: string): Promise<string> {
    return (await ok(this.target, this.agent, method, path, body)).body;
  }

  async counters(): Promise<Snapshot> {
    return JSON.parse(await this.call("GET", "/debug/cost")) as Snapshot;
  }

  async reset(): Promise<void> {
    await this.call("POST", "/debug/cost/reset");
  }
}

/**
 * Waits until the work requests left behind is done: the Durable Object call
 * and SQL counts unchanged over three polls 500 ms apart (or 30 s passed).
 */
async function settle(client: Client): Promise<{ counts: Counts; ms: number }> {
  const start = Date.now();
  let last = "";
  let same = 0;
  for (;;) {
    const snap = await client.counters();
    const key = `${snap.counts["do.calls"] ?? 0}/${snap.counts["sql.statements"] ?? 0}`;
    same = key === last ? same + 1 : 0;
    last = key;
    if (same >= 2 || Date.now() - start > 30_000) return { counts: snap.counts, ms: Date.now() - start };
    await sleep(500);
  }
}

/**
 * Runs one phase: counters reset, `work` (which returns how many requests it
 * made), then the counts once its work settled — or, with `window`, right
 * after it: running hosts never go quiet (their heartbeats), so their phases
 * count a fixed window and divide by the webhook requests seen in it.
 */
async function phase(client: Client, name: string, unit: string, work: () => Promise<number>, window = false): Promise<PhaseCost> {
  if (!window) await settle(client);
  await client.reset();
  const requests = await work();
  const settled = window ? { counts: (await client.counters()).counts, ms: 0 } : await settle(client);
  const cost = { phase: name, unit, requests, counts: settled.counts, settleMs: settled.ms };
  console.log(`  ${name}: ${requests} ${unit}${window ? "" : `, settled in ${settled.ms} ms`}`);
  return cost;
}

async function sequential(n: number, one: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < n; i++) await one(i);
  return n;
}

async function vmisRunning(client: Client, want: number): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const list = JSON.parse(await client.call("GET", `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances`)) as { items: { status?: { phase?: string } }[] };
    const running = list.items.filter((v) => v.status?.phase === "Running").length;
    if (running >= want) return;
    if (Date.now() > deadline) throw new Error(`only ${running}/${want} VMIs Running after 180 s`);
    await sleep(500);
  }
}

function vmirs(replicas: number): string {
  return JSON.stringify({
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceReplicaSet", metadata: { name: "cost" },
    spec: {
      replicas, selector: { matchLabels: { app: "cost" } },
      template: { metadata: { labels: { app: "cost" } }, spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } } },
    },
  });
}

/** The columns of the table: a counter, or a sum of counters, per request. */
const COLUMNS: [string, (c: Counts) => number][] = [
  ["DO calls", (c) => c["do.calls"] ?? 0],
  ["SQL stmts", (c) => c["sql.statements"] ?? 0],
  ["D1 queries", (c) => c["d1.queries"] ?? 0],
  ["queue sends", (c) => c["queue.sends"] ?? 0],
  ["JSON.parse", (c) => c["json.parse"] ?? 0],
  ["JSON.stringify", (c) => c["json.stringify"] ?? 0],
  ["JSON KB", (c) => ((c["json.parse.bytes"] ?? 0) + (c["json.stringify.bytes"] ?? 0)) / 1024],
  ["RPC KB", (c) => ((c["rpc.bytes.sent"] ?? 0) + (c["rpc.bytes.received"] ?? 0)) / 1024],
];

function table(costs: readonly PhaseCost[]): string {
  const head = `| phase | per | n | ${COLUMNS.map(([h]) => h).join(" | ")} |`;
  const rule = `|${"---|".repeat(COLUMNS.length + 3)}`;
  const rows = costs.map((p) => {
    const cells = COLUMNS.map(([, of]) => (p.requests > 0 ? of(p.counts) / p.requests : 0).toFixed(1));
    return `| ${p.phase} | ${p.unit} | ${p.requests} | ${cells.join(" | ")} |`;
  });
  return [head, rule, ...rows].join("\n");
}

/** The Durable Object methods called per request, the largest first. */
function calls(p: PhaseCost): string {
  const entries = Object.entries(p.counts)
    .filter(([k]) => k.startsWith("do.calls."))
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k.slice("do.calls.".length)} ${(v / Math.max(1, p.requests)).toFixed(1)}`);
  return `${p.phase}: ${entries.join(", ") || "none"}`;
}

let hosts: LocalHost[] = [];

await runBench(
  { name: "cost", server: { hosts: 0, benchFloor: true, cost: true }, deadlineMs: 20 * 60_000, beforeStop: () => stopHosts(hosts) },
  async (server) => {
    const target: Target = { url: server.url, token: server.token };
    const client = new Client(target);
    const costs: PhaseCost[] = [];
    await createNamespace(target, NS);
    const pods = `/api/v1/namespaces/${NS}/pods`;
    console.log(`${COUNT} requests per API phase, ${WATCHERS} watchers, ${HOSTS} hosts (heartbeat every ${HEARTBEAT_INTERVAL_MS} ms), ${VMIS} VMIs`);

    costs.push(await phase(client, "floor (new DO write)", "write", () =>
      sequential(COUNT, (i) => client.call("POST", `/debug/bench-floor/cost-${i}`, podBody(`f-${i}`, "cost")))));
    costs.push(await phase(client, "create pod", "create", () =>
      sequential(COUNT, (i) => client.call("POST", pods, podBody(`p-${i}`, "cost")))));
    costs.push(await phase(client, "get pod", "get", () => sequential(COUNT, () => client.call("GET", `${pods}/p-0`))));
    costs.push(await phase(client, `list ${COUNT} pods`, "list", () => sequential(COUNT, () => client.call("GET", pods))));
    costs.push(await phase(client, "status patch (changes)", "patch", () =>
      sequential(COUNT, (i) => client.call("PATCH", `${pods}/p-${i}/status`, JSON.stringify({ status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } })))));
    costs.push(await phase(client, "status patch (no change)", "patch", () =>
      sequential(COUNT, (i) => client.call("PATCH", `${pods}/p-${i}/status`, JSON.stringify({ status: { phase: "Running" } })))));

    let streams: WatchStream[] = [];
    const watchAgent = benchAgent(WATCHERS);
    try {
      streams = await openStreams({ base: server.url, token: server.token, path: `${pods}?watch=true&resourceVersion=0&allowWatchBookmarks=false`, agent: watchAgent }, WATCHERS, 50);
      costs.push(await phase(client, `create pod, ${WATCHERS} watchers`, "create", () =>
        sequential(COUNT, (i) => client.call("POST", pods, podBody(`w-${i}`, "cost")))));
    } finally {
      for (const s of streams) s.close();
      watchAgent.destroy();
    }

    hosts = await startHosts(server.url, server.token, server.state, HOSTS, {
      joinArgs: ["--cpu", "64", "--memory", "256Gi", "--pods", "500"],
      runArgs: ["--heartbeat-interval-ms", String(HEARTBEAT_INTERVAL_MS), "--boot-delay-ms", "200", "--stop-delay-ms", "100"],
    });
    await nodesReady(target, HOSTS);
    const webhookRequests = (c: Counts) => c["worker.requests.webhook"] ?? 0;
    // Idle hosts: only heartbeats reach the webhook.
    await sleep(3000);
    const idle = await phase(client, "heartbeat (idle host)", "webhook request", async () => {
      await sleep(HEARTBEAT_S * 1000);
      return 0;
    }, true);
    idle.requests = webhookRequests(idle.counts);
    costs.push(idle);
    const reports = await phase(client, `VMIRS of ${VMIS} to Running`, "webhook request", async () => {
      await client.call("POST", `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstancereplicasets`, vmirs(VMIS));
      await vmisRunning(client, VMIS);
      await sleep(2000);
      return 0;
    }, true);
    reports.requests = webhookRequests(reports.counts);
    costs.push(reports);

    console.log(`\n${table(costs)}\n`);
    console.log("Durable Object calls per request:");
    for (const p of costs) console.log(`  ${calls(p)}`);
    client.agent.destroy();
    // Counts, unlike timings, do not move with the machine's load: what must hold is checked.
    const broken: string[] = [];
    const idleCommits = idle.counts["do.calls.CollectionStore.commit"] ?? 0;
    if (idle.requests === 0) broken.push("the idle hosts sent no heartbeat in the window");
    if (idleCommits > 0) broken.push(`idle heartbeats wrote their Node ${idleCommits} times (a heartbeat that changes nothing must only renew)`);
    for (const b of broken) console.error(`!!! ${b}`);
    return {
      figures: { count: COUNT, watchers: WATCHERS, hosts: HOSTS, heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS, vmis: VMIS, phases: costs },
      ...(broken.length > 0 ? { failed: broken.join("; ") } : {}),
    };
  },
);
