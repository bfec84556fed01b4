/**
 * `npm run bench:profile`: CPU profiles of the runtime (the user Worker's
 * isolate: the API front, the queue consumer and every Durable Object), one
 * per request type, recorded over the Chrome DevTools protocol from the V8
 * inspector of `wrangler dev` (`npm start --inspector-port`).
 *
 *   npx tsx bench/profile.ts [--short] [--phases floor,creates,watch,reports,heartbeats]
 *     [--creates 300] [--clients 4] [--watchers 100] [--watch-creates 100]
 *     [--hosts 3] [--vmis 90] [--boot-delay-ms 8000] [--heartbeat-s 15] [--heartbeat-interval-ms 200]
 *     [--sampling-us 100] [--top 10]
 *
 * Phases run in that order whatever the order of --phases: the three without
 * hosts first (with no Node nothing is scheduled, so their pods stay put and
 * are deleted before hosts join), then the hosts join for the other two.
 * `floor` is bench/writes' floor (one new Durable Object write per request,
 * the server runs with the bench floor route for it), as many requests as
 * `creates`, so the two give a create's CPU above the floor.
 * Prints per phase the requests, wall time, CPU time and CPU-ms per request
 * and the top functions by self and total time; writes each phase's
 * profile as bench/results/profile-<stamp>-<phase>.cpuprofile and the
 * figures as bench/results/profile-<stamp>.json.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildWorker } from "../scripts/local-cluster.ts";
import { type LocalHost, startHosts, stopHosts } from "../scripts/local-hosts.ts";
import { freePort } from "../test/e2e/server.ts";
import { intList } from "./bench-args.ts";
import { runBench } from "./bench-server.ts";
import { CdpClient } from "./cdp.ts";
import type { CpuProfile } from "./cpu-profile.ts";
import { createNamespace, nodesReady, type Target, warm } from "./converge-phases.ts";
import { benchAgent } from "./load.ts";
import { formatPhase, type PhaseProfile, profilePhase, saveProfile, type WorkloadResult } from "./profile-phase.ts";
import { remapProfile, SourceMap } from "./source-map.ts";
import { clearPods, createPods, floorWrites, heartbeatsWorkload, reportsWorkload, watchWorkload, webhookPostsReach } from "./profile-workloads.ts";

const PHASES = ["floor", "creates", "watch", "reports", "heartbeats"] as const;
type Phase = (typeof PHASES)[number];

const { values } = parseArgs({
  options: {
    short: { type: "boolean", default: false },
    phases: { type: "string", default: PHASES.join(",") },
    creates: { type: "string" },
    clients: { type: "string", default: "4" },
    watchers: { type: "string" },
    "watch-creates": { type: "string" },
    hosts: { type: "string" },
    vmis: { type: "string" },
    "boot-delay-ms": { type: "string" },
    "heartbeat-s": { type: "string" },
    "heartbeat-interval-ms": { type: "string", default: "200" },
    "sampling-us": { type: "string", default: "100" },
    top: { type: "string", default: "10" },
  },
  allowPositionals: false,
});

/** One integer flag, its default depending on --short. */
function count(flag: keyof typeof values, full: number, short: number, min: number, max: number): number {
  const raw = values[flag];
  const [n] = intList(flag, typeof raw === "string" ? raw : String(values.short ? short : full), min, max);
  return n ?? full;
}

const phases = new Set<Phase>();
for (const p of values.phases.split(",").map((s) => s.trim())) {
  const known = PHASES.find((k) => k === p);
  if (!known) throw new Error(`--phases: unknown phase ${p} (known: ${PHASES.join(", ")})`);
  phases.add(known);
}
const nCreates = count("creates", 300, 20, 1, 100_000);
const clients = count("clients", 4, 4, 1, 256);
const watchers = count("watchers", 100, 5, 1, 2000);
const watchCreates = count("watch-creates", 100, 10, 1, 10_000);
const hostCount = count("hosts", 3, 2, 1, 20);
const nVMIs = count("vmis", 90, 6, 1, 5000);
const bootDelayMs = count("boot-delay-ms", 8000, 3000, 0, 120_000);
const heartbeatS = count("heartbeat-s", 15, 3, 1, 600);
const heartbeatIntervalMs = count("heartbeat-interval-ms", 200, 200, 100, 60_000);
const samplingUs = count("sampling-us", 100, 100, 10, 100_000);
const top = count("top", 10, 10, 1, 100);

/** bench/results/, or the folder `npm run bench` gives its suites (see bench-server.ts). */
const RESULTS_DIR = process.env.DURAPLANE_BENCH_RESULTS ?? join(dirname(fileURLToPath(import.meta.url)), "results");
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let hosts: LocalHost[] = [];
let cdp: CdpClient | undefined;
const inspectorPort = await freePort();

await runBench({
  name: "profile",
  // The floor's route exists only with the bench floor on (as bench/writes runs it).
  server: { hosts: 0, inspectorPort, ...(phases.has("floor") ? { benchFloor: true } : {}) },
  deadlineMs: values.short ? 240_000 : 1_800_000,
  beforeStop: async () => {
    await cdp?.close();
    await stopHosts(hosts);
  },
}, async (server) => {
  const t: Target = { url: server.url, token: server.token };
  cdp = await CdpClient.connect(inspectorPort);
  const session = cdp;
  console.log(`profiling target "${session.target.title}" (${session.target.type}) on inspector port ${inspectorPort}, sampling every ${samplingUs} µs`);
  // The server runs the cached bundle of these sources: asking again returns its path without building.
  const bundle = buildWorker();
  const map = SourceMap.forBundle(bundle);
  console.log(map ? `function locations mapped to the sources through ${bundle}.map` : `no source map beside ${bundle}: locations are in the bundle`);
  const remap = map ? (p: CpuProfile): CpuProfile => remapProfile(p, map) : undefined;
  const results: PhaseProfile[] = [];
  const files: Record<string, string> = {};
  const profiled = async (name: Phase, workload: () => Promise<WorkloadResult>): Promise<void> => {
    console.log(`\nphase ${name}: profiling`);
    const { figures, profile } = await profilePhase(session, name, workload, { samplingIntervalUs: samplingUs, top, ...(remap ? { remap } : {}) });
    files[name] = saveProfile(RESULTS_DIR, stamp, name, profile);
    results.push(figures);
    console.log(`${formatPhase(figures)}\nprofile: ${files[name]}`);
  };

  await createNamespace(t, "profile");
  if (phases.has("floor")) {
    const agent = benchAgent(clients);
    try {
      // As the creates below: sockets and the floor's route warmed outside the profile.
      await warm(t, agent, clients, "profile");
      await floorWrites(t, agent, "profile-floor-warm", clients, clients);
      await profiled("floor", () => floorWrites(t, agent, "profile-floor", nCreates, clients));
    } finally {
      agent.destroy();
    }
  }
  if (phases.has("creates")) {
    const agent = benchAgent(clients);
    try {
      // Warm sockets and the create path (a first create loads code and the namespace) outside the profile.
      await warm(t, agent, clients, "profile");
      await createPods(t, agent, "profile", "warm", clients, clients);
      await profiled("creates", () => createPods(t, agent, "profile", "pod", nCreates, clients));
    } finally {
      agent.destroy();
    }
  }
  if (phases.has("watch")) {
    await createNamespace(t, "profile-watch");
    const w = await watchWorkload(t, "profile-watch", watchers, watchCreates, 30_000);
    try {
      await profiled("watch", w.run);
    } finally {
      w.close();
    }
  }
  if (phases.has("reports") || phases.has("heartbeats")) {
    // Pending pods of the phases above would be scheduled onto the hosts and reported: gone first.
    await clearPods(t, "profile");
    if (phases.has("watch")) await clearPods(t, "profile-watch");
    const joinArgs = ["--cpu", "64", "--memory", "256Gi", "--pods", "500"];
    console.log(`\njoining ${hostCount} simulated hosts (boot delay ${bootDelayMs} ms)`);
    hosts = await startHosts(t.url, t.token, server.state, hostCount, { joinArgs, runArgs: ["--boot-delay-ms", String(bootDelayMs)] });
    await nodesReady(t, hostCount);
    if (phases.has("reports")) {
      await createNamespace(t, "profile-vms");
      const r = await reportsWorkload(t, server, "profile-vms", nVMIs, 120_000 + bootDelayMs);
      try {
        await profiled("reports", r.run);
      } finally {
        r.close();
      }
    }
    if (phases.has("heartbeats")) {
      // The same hosts again, heartbeating every --heartbeat-interval-ms so that a short phase has enough of them.
      await stopHosts(hosts);
      const restarted = server.logs().length;
      hosts = await startHosts(t.url, t.token, server.state, hostCount, { joinArgs, runArgs: ["--heartbeat-interval-ms", String(heartbeatIntervalMs)] });
      // Running once each agent has sent a few; a restarted agent also relists and reports what it runs: let that pass too.
      await webhookPostsReach(server, restarted, hostCount * 3);
      await sleep(2000);
      await profiled("heartbeats", () => heartbeatsWorkload(server, heartbeatS * 1000));
    }
  }

  const row = (p: PhaseProfile): string => `| ${p.name} | ${p.requests} | ${(p.wallMs / 1000).toFixed(2)} | ${p.cpuMs.toFixed(0)} | ${p.cpuMsPerRequest.toFixed(2)} | ${p.gcMs.toFixed(0)} | ${p.programMs.toFixed(0)} | ${p.idleMs.toFixed(0)} |`;
  console.log(`\n| phase | requests | wall s | CPU ms | CPU ms/request | GC ms | (program) ms | (idle) ms |\n|---|---|---|---|---|---|---|---|\n${results.map(row).join("\n")}`);
  const floor = results.find((p) => p.name === "floor");
  const creates = results.find((p) => p.name === "creates");
  const watch = results.find((p) => p.name === "watch");
  let createMinusFloor: { cpuMsPerRequest: number; create: number; floor: number } | undefined;
  if (floor && creates) {
    // Same requests from the same clients: what a create costs above one new Durable Object write.
    createMinusFloor = { cpuMsPerRequest: creates.cpuMsPerRequest - floor.cpuMsPerRequest, create: creates.cpuMsPerRequest, floor: floor.cpuMsPerRequest };
    console.log(`
create − floor: ${createMinusFloor.cpuMsPerRequest.toFixed(2)} CPU-ms per request (create ${createMinusFloor.create.toFixed(2)}, floor ${createMinusFloor.floor.toFixed(2)})`);
  }
  if (creates && watch) {
    // The watch phase's creates cost what the creates phase's do, plus the fan-out: the difference is the deliveries'.
    const perDelivery = (watch.cpuMsPerRequest - creates.cpuMsPerRequest) / watchers;
    console.log(`
watch: (${watch.cpuMsPerRequest.toFixed(2)} − ${creates.cpuMsPerRequest.toFixed(2)} ms per create) ÷ ${watchers} watchers ≈ ${perDelivery.toFixed(3)} CPU-ms per event delivered`);
  }
  return {
    figures: {
      options: { short: values.short, clients, nCreates, watchers, watchCreates, hostCount, nVMIs, bootDelayMs, heartbeatS, heartbeatIntervalMs, samplingUs },
      target: session.target.title, phases: results, profiles: files,
      ...(createMinusFloor ? { createMinusFloor } : {}),
    },
  };
});
