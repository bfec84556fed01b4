/**
 * `npm run bench:writes`: creates/s and p50/p99 latency of pod creates for N
 * concurrent clients against a local server, beside a floor measured in the
 * same run — a bare Durable Object write of the same payload through the
 * same Worker (`POST /debug/bench-floor/{key}`, one new object per request,
 * as a create makes one new ObjectStore).
 *
 *   npx tsx bench/writes.ts [--clients 1,8,32] [--count 500] [--warmup 20] [--rounds 3] [--settle-ms 3000] [--as-user]
 *
 * `--as-user` sends the real path's creates as an ordinary user bound to
 * `edit` in the namespace (a static token minted for the run), so RBAC and
 * API Priority and Fairness decide every create as they would a team's;
 * the floor stays the admin's (exempt) bare write.
 *
 * At each level the floor and the real path alternate `--rounds` times, so a
 * slow spell of the machine hits both sides; the medians over the rounds are
 * the figures to compare. Prints a row per round and path, then the medians
 * per level, and writes the figures to bench/results/writes-<timestamp>.json.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import type { LocalServer } from "../test/e2e/server.ts";
import { runBench } from "./bench-server.ts";
import { benchAgent, median, type PhaseResult, post, runPhase, type Shot } from "./load.ts";
import { intList } from "./bench-args.ts";
import { podBody } from "./pod-body.ts";
import { send } from "./https-request.ts";
import { cpuBetween, sampleCpu } from "./process-cpu.ts";

// Bounds, so a typo cannot start an unbounded run.
const MAX_CLIENTS = 128;
const MAX_LEVELS = 6;
const MAX_COUNT = 5000;
const MAX_ROUNDS = 10;

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "1,8,32" },
    count: { type: "string", default: "500" },
    warmup: { type: "string", default: "20" },
    rounds: { type: "string", default: "3" },
    "settle-ms": { type: "string", default: "3000" },
    "as-user": { type: "boolean", default: false },
  },
  allowPositionals: false,
});
const levels = intList("clients", values.clients, 1, MAX_CLIENTS);
if (levels.length > MAX_LEVELS) throw new Error(`--clients: at most ${MAX_LEVELS} levels`);
const [count = 0] = intList("count", values.count, 1, MAX_COUNT);
const [warmup = 0] = intList("warmup", values.warmup, 1, 1000);
const [rounds = 0] = intList("rounds", values.rounds, 1, MAX_ROUNDS);
const settleMs = Number(values["settle-ms"]);
if (!Number.isInteger(settleMs) || settleMs < 0 || settleMs > 60_000) throw new Error("--settle-ms must be 0..60000");

/** One floor phase and the real phase after it. */
interface RoundResult {
  round: number;
  floor: MeasuredPhase;
  real: MeasuredPhase;
  /** real creates/s ÷ floor writes/s. */
  throughputRatio: number;
  /** real p50 ÷ floor p50. */
  p50Ratio: number;
  /** real p99 ÷ floor p99. */
  p99Ratio: number;
}

/** Medians over a level's rounds; the ratios are the medians of the per-round ratios. */
interface LevelMedians {
  floorPerSecond: number;
  realPerSecond: number;
  throughputRatio: number;
  floorP99Ms: number;
  realP99Ms: number;
  p99Ratio: number;
}

/** All rounds at one concurrency level. */
interface LevelResult {
  clients: number;
  rounds: RoundResult[];
  median: LevelMedians;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A phase's figures and the server's CPU per measured request, by process command (see process-cpu.ts). */
type MeasuredPhase = PhaseResult & { serverCpuMsPerRequest: number; cpuMsPerRequestByProcess: Record<string, number> };

/** How long a phase's CPU is still counted after its last answer: the background work its requests left (reconciles). */
const CPU_TAIL_MS = 1000;

/** Runs `warmup` (at least one per socket, so no TLS handshake is timed) then `count` measured requests. */
async function phase(server: LocalServer, clients: number, shot: (tag: string, i: number) => Shot, token = server.token): Promise<MeasuredPhase> {
  const agent = benchAgent(clients);
  const root = server.process.pid;
  try {
    const warm = Math.max(warmup, clients);
    await runPhase(server.url, token, agent, clients, warm, (i) => shot("w", i));
    const before = root === undefined ? new Map<string, number>() : sampleCpu(root);
    const result = await runPhase(server.url, token, agent, clients, count, (i) => shot("m", i));
    await sleep(CPU_TAIL_MS);
    const spent = root === undefined ? {} : cpuBetween(before, sampleCpu(root));
    const perRequest = Object.fromEntries(Object.entries(spent).map(([k, ms]) => [k, ms / result.requests]));
    const total = Object.values(perRequest).reduce((a, b) => a + b, 0);
    return { ...result, serverCpuMsPerRequest: total, cpuMsPerRequestByProcess: perRequest };
  } finally {
    agent.destroy();
  }
}

async function run(server: LocalServer): Promise<LevelResult[]> {
  const ns = `bench-${randomBytes(4).toString("hex")}`;
  const nsAgent = benchAgent(1);
  const created = await post(server.url, server.token, nsAgent, {
    path: "/api/v1/namespaces",
    body: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }),
  }).finally(() => nsAgent.destroy());
  console.log(`namespace ${ns} created in ${(Number(created) / 1e6).toFixed(1)} ms`);
  const realToken = values["as-user"] ? await editUser(server, ns) : server.token;
  const results: LevelResult[] = [];
  for (const clients of levels) {
    const done: RoundResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Floor first in every round, then the real path, then a pause: a create
      // leaves background work behind (its ObjectStore's recovery alarm), and
      // the pause lets it drain so it is never billed to the next floor phase;
      // the floor itself leaves nothing behind that could slow the real phase.
      // Keys name the level and the round, so every floor write is a new object
      // and every pod a new name.
      const floor = await phase(server, clients, (tag, i) => {
        const key = `f${clients}r${round}${tag}-${i}`;
        return { path: `/debug/bench-floor/${key}`, body: podBody(key, "write throughput") };
      });
      const real = await phase(server, clients, (tag, i) => ({
        path: `/api/v1/namespaces/${ns}/pods`,
        body: podBody(`p${clients}r${round}${tag}-${i}`, "write throughput"),
      }), realToken);
      done.push({
        round,
        floor,
        real,
        throughputRatio: real.perSecond / floor.perSecond,
        p50Ratio: real.p50Ms / floor.p50Ms,
        p99Ratio: real.p99Ms / floor.p99Ms,
      });
      console.log(`clients=${clients} round ${round}/${rounds}: floor ${floor.perSecond.toFixed(1)}/s, real ${real.perSecond.toFixed(1)}/s`);
      await sleep(settleMs);
    }
    const med = (f: (r: RoundResult) => number): number => median(done.map(f));
    results.push({
      clients,
      rounds: done,
      median: {
        floorPerSecond: med((r) => r.floor.perSecond),
        realPerSecond: med((r) => r.real.perSecond),
        throughputRatio: med((r) => r.throughputRatio),
        floorP99Ms: med((r) => r.floor.p99Ms),
        realP99Ms: med((r) => r.real.p99Ms),
        p99Ratio: med((r) => r.p99Ratio),
      },
    });
  }
  return results;
}

/** Mints a token for a fresh user and binds it to `edit` in `ns`; answers the token. */
async function editUser(server: LocalServer, ns: string): Promise<string> {
  const user = `bench-${randomBytes(3).toString("hex")}`;
  const agent = benchAgent(1);
  const call = async (path: string, body: unknown) => {
    const res = await send(server.url, server.token, agent, "POST", path, JSON.stringify(body));
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.body}`);
    return JSON.parse(res.body) as Record<string, unknown>;
  };
  try {
    const minted = await call("/apis/users.duraplane.io/v1/tokens", { user, groups: ["bench"] });
    await call(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: user },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" }, subjects: [{ kind: "User", name: user }],
    });
    console.log(`real path as user ${user} (edit in ${ns})`);
    return String(minted.token);
  } finally {
    agent.destroy();
  }
}

function markdown(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** A row per level, round and path. */
function roundsTable(results: LevelResult[]): string {
  const head = ["clients", "round", "path", "creates/s", "p50 ms", "p99 ms", "server CPU ms/req", "real/floor creates/s", "real/floor p50", "real/floor p99"];
  const rows: string[][] = [];
  for (const level of results) {
    for (const r of level.rounds) {
      for (const [name, p] of [["floor", r.floor], ["real", r.real]] as const) {
        const ratios = name === "real" ? [r.throughputRatio.toFixed(2), r.p50Ratio.toFixed(2), r.p99Ratio.toFixed(2)] : ["", "", ""];
        const cpu = `${p.serverCpuMsPerRequest.toFixed(2)} (${Object.entries(p.cpuMsPerRequestByProcess).map(([k, ms]) => `${k} ${ms.toFixed(2)}`).join(", ")})`;
        rows.push([String(level.clients), String(r.round), name, p.perSecond.toFixed(1), p.p50Ms.toFixed(1), p.p99Ms.toFixed(1), cpu, ...ratios]);
      }
    }
  }
  return markdown(head, rows);
}

/** A row per level: the medians over its rounds. */
function mediansTable(results: LevelResult[]): string {
  const head = ["clients", "rounds", "floor creates/s", "real creates/s", "real/floor creates/s", "floor p99 ms", "real p99 ms", "real/floor p99"];
  const rows = results.map(({ clients, rounds: done, median: m }) => [
    String(clients), String(done.length), m.floorPerSecond.toFixed(1), m.realPerSecond.toFixed(1), m.throughputRatio.toFixed(2),
    m.floorP99Ms.toFixed(1), m.realP99Ms.toFixed(1), m.p99Ratio.toFixed(2),
  ]);
  return markdown(head, rows);
}

await runBench({ name: "writes", server: { benchFloor: true } }, async (server) => {
  const payloadBytes = Buffer.byteLength(podBody("p1r1m-0", "write throughput"));
  console.log(`levels ${levels.join(",")}, ${rounds} rounds of floor then real, ${count} measured + max(${warmup}, clients) warm-up requests per phase, pod ${payloadBytes} bytes`);
  const results = await run(server);
  console.log(`\n${roundsTable(results)}\n\nmedians over rounds (ratios: the median of each round's ratio):\n\n${mediansTable(results)}\n`);
  return { figures: { count, warmup, rounds, settleMs, payloadBytes, asUser: values["as-user"], results } };
});
