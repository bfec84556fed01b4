/**
 * `npm run bench:fairness`: does one user flooding the API push another
 * user's latency up? Two ordinary users, each bound to `edit` in its own
 * namespace (both fall under APF's global-default level, one flow each):
 *
 * 1. alone — the quiet user creates `--count` pods one after another, as a
 *    person or a CI job does; its p50/p99 is the floor of this run;
 * 2. flooded — the noisy user runs `--noisy-clients` closed loops of creates
 *    that ignore 429 and Retry-After (the adversarial case), and while they
 *    run the quiet user repeats its creates.
 *
 * Prints the quiet user's p50/p99 in both phases and their ratio (the aim:
 * flooded p99 ≤ 2× alone), the same ratios timed inside the Worker (the
 * audit log's received → completed times of the same requests, so the
 * transport — wrangler's proxy, TLS, the client — is told apart), and the
 * noisy user's completed creates/s and 429s. `--seats N` starts the server
 * with `APF_TOTAL_SEATS=N` (default 12, `npm start`'s own): with upstream's
 * 600 nothing is ever queued on a small machine, so the flood only shares
 * the CPU; a value sized to what the isolate can run at once queues the
 * flood and serves the quiet user beside it.
 *
 * `--profile` records a CPU profile of the runtime over round 1's flooded
 * phase (as bench/profile does) and prints its top functions: what the
 * thread spends its time on while the quiet user waits.
 *
 *   npx tsx bench/fairness.ts [--seats 12] [--count 200] [--noisy-clients 32] [--rounds 3] [--profile]
 */
import { randomBytes } from "node:crypto";
import type { Agent } from "node:https";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LocalServer } from "../test/e2e/server.ts";
import { runBench } from "./bench-server.ts";
import { intList } from "./bench-args.ts";
import { send } from "./https-request.ts";
import { benchAgent, median, percentile } from "./load.ts";
import { buildWorker } from "../scripts/local-cluster.ts";
import { freePort } from "../test/e2e/server.ts";
import { CdpClient } from "./cdp.ts";
import { formatPhase, profilePhase, saveProfile } from "./profile-phase.ts";
import { remapProfile, SourceMap } from "./source-map.ts";
import { podBody } from "./pod-body.ts";

const { values } = parseArgs({
  options: {
    seats: { type: "string", default: "12" },
    count: { type: "string", default: "200" },
    warmup: { type: "string", default: "20" },
    "noisy-clients": { type: "string", default: "32" },
    rounds: { type: "string", default: "3" },
    "flood-lead-ms": { type: "string", default: "2000" },
    profile: { type: "boolean", default: false },
  },
  allowPositionals: false,
});
const [seats = 0] = intList("seats", values.seats, 1, 10_000);
const [count = 0] = intList("count", values.count, 10, 5000);
const [warmup = 0] = intList("warmup", values.warmup, 0, 1000);
const [noisyClients = 0] = intList("noisy-clients", values["noisy-clients"], 1, 256);
const [rounds = 0] = intList("rounds", values.rounds, 1, 10);
const [floodLeadMs = 0] = intList("flood-lead-ms", values["flood-lead-ms"], 0, 60_000);

/** One user of the run. */
interface User {
  name: string;
  namespace: string;
  token: string;
}

/** Latency figures of the quiet user in one phase. */
interface QuietPhase {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface RoundResult {
  round: number;
  alone: QuietPhase;
  flooded: QuietPhase;
  p50Ratio: number;
  p99Ratio: number;
  /** The same requests timed inside the Worker (the audit log's received → completed), without the transport. */
  inWorker: { alone: QuietPhase; flooded: QuietPhase; p50Ratio: number; p99Ratio: number };
  noisy: { created: number; rejected429: number; other: number; perSecond: number };
}

async function adminPost(server: LocalServer, agent: Agent, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await send(server.url, server.token, agent, "POST", path, JSON.stringify(body));
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

/** A fresh user with a token, bound to `edit` in a namespace of its own. */
async function makeUser(server: LocalServer, agent: Agent, role: string): Promise<User> {
  const name = `${role}-${randomBytes(3).toString("hex")}`;
  const namespace = `fair-${name}`;
  await adminPost(server, agent, "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  const minted = await adminPost(server, agent, "/apis/users.duraplane.io/v1/tokens", { user: name, groups: ["bench"] });
  await adminPost(server, agent, `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" }, subjects: [{ kind: "User", name }],
  });
  return { name, namespace, token: String(minted.token) };
}

let serial = 0;
function createPod(server: LocalServer, user: User, agent: Agent) {
  const name = `p-${serial++}`;
  return send(server.url, user.token, agent, "POST", `/api/v1/namespaces/${user.namespace}/pods`, podBody(name, "fairness"));
}

/** The quiet user's `n` creates, one after another; latencies in ms. */
async function quietRun(server: LocalServer, quiet: User, agent: Agent, n: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await createPod(server, quiet, agent);
    if (res.status !== 201) throw new Error(`the quiet user's create answered ${res.status}: ${res.body}`);
    latencies.push(Number(res.endNs - res.startNs) / 1e6);
  }
  return latencies;
}

function figures(latencies: number[]): QuietPhase {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? Number.NaN };
}

/** The noisy user's closed loops until `stop` is set; counts what came back. */
function flood(server: LocalServer, noisy: User, agent: Agent, stop: { now: boolean }): Promise<{ created: number; rejected429: number; other: number; wallMs: number }> {
  // Answers other than 201 and 429 are counted, not thrown: the quiet user's run must finish either way.
  const counts = { created: 0, rejected429: 0, other: 0 };
  const start = process.hrtime.bigint();
  const loop = async (): Promise<void> => {
    while (!stop.now) {
      const res = await createPod(server, noisy, agent);
      if (res.status === 201) counts.created++;
      else if (res.status === 429) counts.rejected429++;
      else {
        counts.other++;
        if (counts.other === 1) console.error(`the noisy user's create answered ${res.status}: ${res.body.slice(0, 300)}`);
      }
    }
  };
  return Promise.all(Array.from({ length: noisyClients }, () => loop()))
    .then(() => ({ ...counts, wallMs: Number(process.hrtime.bigint() - start) / 1e6 }));
}

/** The inspector session when `--profile` is on (round 1's flooded phase is profiled). */
let cdp: CdpClient | undefined;
const inspectorPort = values.profile ? await freePort() : undefined;
const RESULTS_DIR = process.env.DURAPLANE_BENCH_RESULTS ?? join(dirname(fileURLToPath(import.meta.url)), "results");

/** The quiet user's flooded run, profiled when this is round 1 of a `--profile` run. */
async function floodedRun(server: LocalServer, quiet: User, agent: Agent, n: number): Promise<number[]> {
  if (!cdp || n !== 1) return quietRun(server, quiet, agent, count);
  const map = SourceMap.forBundle(buildWorker());
  let latencies: number[] = [];
  const { figures, profile } = await profilePhase(cdp, "flooded", async () => {
    latencies = await quietRun(server, quiet, agent, count);
    return { requests: count };
  }, { samplingIntervalUs: 100, top: 25, ...(map ? { remap: (p) => remapProfile(p, map) } : {}) });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  // CPU per request counts the quiet user's requests only: the flood's share is in the same profile.
  console.log(`${formatPhase(figures)}\nprofile: ${saveProfile(RESULTS_DIR, `fairness-${stamp}`, "flooded", profile)}`);
  return latencies;
}

/** In-Worker latencies (audit: received → completed) of `user`'s creates received in [from, to). */
async function serverLatencies(server: LocalServer, user: User, from: Date, to: Date): Promise<number[]> {
  const agent = benchAgent(1);
  try {
    const out: number[] = [];
    let cont = "";
    for (;;) {
      const q = new URLSearchParams({ user: user.name, verb: "create", since: from.toISOString(), limit: "500", ...(cont ? { continue: cont } : {}) });
      const res = await send(server.url, server.token, agent, "GET", `/apis/audit.duraplane.io/v1/events?${q}`);
      if (res.status !== 200) throw new Error(`audit: ${res.status} ${res.body}`);
      const list = JSON.parse(res.body) as { metadata: { continue?: string }; items: { requestReceivedTimestamp: string; stageTimestamp: string }[] };
      for (const e of list.items) {
        const t0 = Date.parse(e.requestReceivedTimestamp);
        if (t0 < to.getTime()) out.push(Date.parse(e.stageTimestamp) - t0);
      }
      if (!list.metadata.continue) return out;
      cont = list.metadata.continue;
    }
  } finally {
    agent.destroy();
  }
}

async function round(server: LocalServer, quiet: User, noisy: User, n: number): Promise<RoundResult> {
  const quietAgent = benchAgent(1);
  const noisyAgent = benchAgent(noisyClients);
  try {
    await quietRun(server, quiet, quietAgent, warmup);
    const t0 = new Date();
    const alone = figures(await quietRun(server, quiet, quietAgent, count));
    const t1 = new Date();
    const stop = { now: false };
    const flooding = flood(server, noisy, noisyAgent, stop);
    await new Promise((r) => setTimeout(r, floodLeadMs));
    let flooded: QuietPhase;
    try {
      flooded = figures(await floodedRun(server, quiet, quietAgent, n));
    } finally {
      stop.now = true;
    }
    const t2 = new Date();
    const noisyCounts = await flooding;
    const inAlone = await serverLatencies(server, quiet, t0, t1);
    const inFlooded = await serverLatencies(server, quiet, t1, t2);
    if (inAlone.length !== count || inFlooded.length !== count) {
      throw new Error(`the audit log holds ${inAlone.length} and ${inFlooded.length} of the quiet user's ${count} creates per phase`);
    }
    const wa = figures(inAlone);
    const wf = figures(inFlooded);
    const result: RoundResult = {
      round: n, alone, flooded,
      p50Ratio: flooded.p50Ms / alone.p50Ms, p99Ratio: flooded.p99Ms / alone.p99Ms,
      inWorker: { alone: wa, flooded: wf, p50Ratio: wf.p50Ms / wa.p50Ms, p99Ratio: wf.p99Ms / wa.p99Ms },
      noisy: { created: noisyCounts.created, rejected429: noisyCounts.rejected429, other: noisyCounts.other, perSecond: (noisyCounts.created / noisyCounts.wallMs) * 1000 },
    };
    console.log(`round ${n}: quiet alone p50 ${alone.p50Ms.toFixed(1)} ms p99 ${alone.p99Ms.toFixed(1)} ms; flooded p50 ${flooded.p50Ms.toFixed(1)} ms p99 ${flooded.p99Ms.toFixed(1)} ms (p99 ×${result.p99Ratio.toFixed(2)}); noisy ${result.noisy.perSecond.toFixed(1)} creates/s, ${noisyCounts.rejected429} × 429`);
    console.log(`  in the Worker: alone p50 ${wa.p50Ms} ms p99 ${wa.p99Ms} ms; flooded p50 ${wf.p50Ms} ms p99 ${wf.p99Ms} ms (p99 ×${result.inWorker.p99Ratio.toFixed(2)})`);
    return result;
  } finally {
    quietAgent.destroy();
    noisyAgent.destroy();
  }
}

await runBench({
  name: "fairness",
  server: { apfTotalSeats: seats, ...(inspectorPort === undefined ? {} : { inspectorPort }) },
  deadlineMs: 30 * 60_000,
  beforeStop: () => cdp?.close(),
}, async (server) => {
  if (inspectorPort !== undefined) cdp = await CdpClient.connect(inspectorPort);
  const admin = benchAgent(1);
  let quiet: User;
  let noisy: User;
  try {
    quiet = await makeUser(server, admin, "quiet");
    noisy = await makeUser(server, admin, "noisy");
  } finally {
    admin.destroy();
  }
  // RBAC decisions come from a snapshot refreshed within about a second of a binding.
  await new Promise((r) => setTimeout(r, 1500));
  console.log(`APF_TOTAL_SEATS=${seats}; quiet user ${quiet.name} sends ${count} sequential creates alone, then while ${noisy.name} floods with ${noisyClients} closed loops (429s ignored)`);
  const results: RoundResult[] = [];
  for (let n = 1; n <= rounds; n++) results.push(await round(server, quiet, noisy, n));
  const med = (f: (r: RoundResult) => number) => median(results.map(f));
  const summary = {
    aloneP99Ms: med((r) => r.alone.p99Ms), floodedP99Ms: med((r) => r.flooded.p99Ms),
    p50Ratio: med((r) => r.p50Ratio), p99Ratio: med((r) => r.p99Ratio),
    noisyPerSecond: med((r) => r.noisy.perSecond), noisy429: med((r) => r.noisy.rejected429),
    inWorkerP50Ratio: med((r) => r.inWorker.p50Ratio), inWorkerP99Ratio: med((r) => r.inWorker.p99Ratio),
  };
  console.log(`\n| seats | quiet p99 alone ms | quiet p99 flooded ms | flooded/alone p50 | flooded/alone p99 | in the Worker: p50 | in the Worker: p99 | noisy creates/s | noisy 429s |\n|---|---|---|---|---|---|---|---|---|\n| ${seats} | ${summary.aloneP99Ms.toFixed(1)} | ${summary.floodedP99Ms.toFixed(1)} | ${summary.p50Ratio.toFixed(2)} | ${summary.p99Ratio.toFixed(2)} | ${summary.inWorkerP50Ratio.toFixed(2)} | ${summary.inWorkerP99Ratio.toFixed(2)} | ${summary.noisyPerSecond.toFixed(1)} | ${summary.noisy429} |\n(medians over ${rounds} rounds; the aim is flooded/alone p99 ≤ 2; "in the Worker" is the same ratio from the audit log's received → completed times, without the transport)\n`);
  // wrangler dev's proxy now and then drops a request under a flood (503 "Your worker restarted
  // mid-request"); they are counted and shown, not hidden. The quiet user's creates must all succeed.
  const other = results.reduce((n, r) => n + r.noisy.other, 0);
  if (other > 0) console.log(`${other} of the noisy user's creates answered neither 201 nor 429 (the first is printed above)`);
  return { figures: { seats, count, warmup, noisyClients, rounds, floodLeadMs, results, summary } };
});
