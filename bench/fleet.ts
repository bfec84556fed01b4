/**
 * `npm run bench:fleet`: H simulated hosts (real duraplane-agent processes),
 * a VMIRS of N and a ReplicaSet of N created together → time until every VMI
 * and pod is Running with Ready=True, and the creation→Running latency of each
 * (p50/p99; KubeVirt's CI tracks vmiCreationToRunning P50/P95), beside the
 * floor of the same objects created and marked Running by direct status
 * writes in the same run (before any host joins, so nothing schedules them).
 *
 *   npx tsx bench/fleet.ts [--hosts 20] [--vmis 1000] [--pods 1000] [--clients 16]
 *                          [--boot-delay-ms 500] [--timeout-s 600] [--runtime simulated|real]
 *
 * `--runtime real` runs the hosts with the real adapters (libvirt/QEMU and
 * containerd; `npm start -- --runtime real` explains what is missing): the
 * VMIs boot the tiny kernelBoot image, the pods run busybox. Run it beside a
 * simulated run of the same size (`--hosts 2 --vmis 10 --pods 20`) and the
 * runtimes' own cost is the difference. Whatever the hosts still run when the
 * bench ends is deleted through the API and then swept from libvirt and
 * containerd, so no VM or container outlives it.
 *
 * The controller path includes what the floor skips: the queue and the
 * replicas controllers, the scheduler's binds, each agent's watch, the
 * simulated boot (--boot-delay-ms) and the signed report through the webhook.
 * Prints a table and writes bench/results/fleet-<timestamp>.json (and the
 * server's output on failure).
 *
 * `--profile` records a CPU profile of the runtime (bench/profile's
 * machinery) around the real phase only, prints its top functions and saves
 * it as bench/results/profile-<stamp>-fleet.cpuprofile: where a fleet's
 * convergence spends the one workerd thread (`--sampling-us`, 500 µs by
 * default, keeps a two-minute profile small).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildWorker } from "../scripts/local-cluster.ts";
import { freePort } from "../test/e2e/server.ts";
import { CdpClient } from "./cdp.ts";
import { formatPhase, profilePhase, saveProfile } from "./profile-phase.ts";
import { remapProfile, SourceMap } from "./source-map.ts";
import { type LocalHost, startHosts, stopHosts } from "../scripts/local-hosts.ts";
import { intList } from "./bench-args.ts";
import { runBench } from "./bench-server.ts";
import { createNamespace, nodesReady, ok, pool, type Target, warm } from "./converge-phases.ts";
import { FleetWatch } from "./fleet-watch.ts";
import { benchAgent, percentile, percentileLadder } from "./load.ts";
import { cpuLine, cpuSpent, restartedRequests, sampleAll, sendSurvivingRestart } from "./fleet-support.ts";
import { missingForRealRuntimes } from "../scripts/runtime-preflight.ts";
import { buildImages } from "../scripts/images/build.ts";
import { BUSYBOX_REF } from "../scripts/images/busybox.ts";
import { TINY_VM_REF } from "../scripts/images/vm-guest.ts";
import { Ctr } from "../agent/runtime/ctr.ts";
import { sweepNodeContainers } from "../agent/test-support/containerd.ts";
import { sweepDomains } from "../agent/test-support/libvirt.ts";
import { Virsh } from "../agent/runtime/virsh.ts";
import { domainPrefixFor } from "../agent/commands/vm-runtime.ts";

const { values } = parseArgs({
  options: {
    hosts: { type: "string", default: "20" },
    vmis: { type: "string", default: "1000" },
    pods: { type: "string", default: "1000" },
    clients: { type: "string", default: "16" },
    "boot-delay-ms": { type: "string", default: "500" },
    "timeout-s": { type: "string", default: "600" },
    runtime: { type: "string", default: "simulated" },
    profile: { type: "boolean", default: false },
    "sampling-us": { type: "string", default: "500" },
  },
  allowPositionals: false,
});
const [hostCount = 20] = intList("hosts", values.hosts, 1, 100);
const [nVMIs = 0] = intList("vmis", values.vmis, 0, 5000);
const [nPods = 0] = intList("pods", values.pods, 0, 5000);
const [clients = 16] = intList("clients", values.clients, 1, 128);
const [bootDelayMs = 0] = intList("boot-delay-ms", values["boot-delay-ms"], 0, 60_000);
const [timeoutS = 600] = intList("timeout-s", values["timeout-s"], 10, 3600);
const timeoutMs = timeoutS * 1000;
const [samplingUs = 500] = intList("sampling-us", values["sampling-us"], 50, 100_000);
if (values.runtime !== "simulated" && values.runtime !== "real") throw new Error(`--runtime must be simulated or real, got ${values.runtime}`);
const realRuntime = values.runtime === "real";
if (realRuntime) {
  const missing = missingForRealRuntimes();
  if (missing.length > 0) throw new Error(`--runtime real needs libvirt/QEMU and containerd:\n  ${missing.join("\n  ")}`);
}

const VMI_SPEC = realRuntime
  ? {
    domain: {
      memory: { guest: "128Mi" }, resources: { requests: { memory: "128Mi", cpu: "100m" } },
      firmware: { kernelBoot: { container: { image: TINY_VM_REF, kernelPath: "/boot/vmlinuz", initrdPath: "/boot/initrd.gz" } } },
      devices: { autoattachGraphicsDevice: false },
    },
  }
  : { domain: { devices: {}, resources: { requests: { memory: "64Mi", cpu: "100m" } } } };
const POD_SPEC = realRuntime
  ? { containers: [{ name: "app", image: BUSYBOX_REF, imagePullPolicy: "Never", command: ["sleep", "3600"], resources: { requests: { memory: "32Mi", cpu: "50m" } } }] }
  : { containers: [{ name: "app", image: "registry.example/app:1", resources: { requests: { memory: "32Mi", cpu: "50m" } } }] };
const READY = { type: "Ready", status: "True" };

const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Per-object latencies (ms) of one kind; `cdfMs` is the value at every whole percentile, for the report's charts. */
interface Stats { count: number; wallMs: number; p50: number; p95: number; p99: number; cdfMs: number[] }
function stats(latencies: number[], wallMs: number): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { count: sorted.length, wallMs, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), cdfMs: percentileLadder(sorted) };
}

/** Floor: each object created, then its status written Running/Ready, by `clients` loops. */
async function floor(t: Target, ns: string, kind: "vmis" | "pods", n: number): Promise<Stats> {
  const agent = benchAgent(clients);
  const path = kind === "vmis" ? `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances` : `/api/v1/namespaces/${ns}/pods`;
  const latencies: number[] = [];
  try {
    await warm(t, agent, clients, ns);
    const wallMs = await pool(clients, n, async (i) => {
      const name = `${kind}-${i}`;
      const body = kind === "vmis"
        ? { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name }, spec: VMI_SPEC }
        : { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: POD_SPEC };
      const created = await sendSurvivingRestart(t, agent, "POST", path, JSON.stringify(body));
      const done = await sendSurvivingRestart(t, agent, "PATCH", `${path}/${name}/status`, JSON.stringify({ status: { phase: "Running", conditions: [READY] } }));
      latencies.push(Number(done.endNs - created.startNs) / 1e6);
    });
    return stats(latencies, wallMs);
  } finally {
    agent.destroy();
  }
}

/** Deletes the floor's objects and waits until they are gone, so they cost the real phase nothing. */
async function clearFloor(t: Target, ns: string): Promise<void> {
  const agent = benchAgent(1);
  try {
    const paths = [`/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, `/api/v1/namespaces/${ns}/pods`];
    const left = async (p: string): Promise<number> => (JSON.parse((await ok(t, agent, "GET", `${p}?limit=1`)).body) as { items: unknown[] }).items.length;
    for (const p of paths) {
      // On a loaded machine deleting 1,000 objects can outlast a request's 30 s: ask again for what is left.
      for (let attempt = 1; ; attempt++) {
        try {
          await ok(t, agent, "DELETE", p);
          break;
        } catch (err) {
          if (attempt >= 5) throw err;
          console.log(`  deleting the floor's ${p.split("/").pop() ?? ""} again (${err instanceof Error ? err.message : String(err)})`);
        }
      }
    }
    for (const p of paths) {
      while ((await left(p)) > 0) await sleep(500);
    }
  } finally {
    agent.destroy();
  }
}

interface Real {
  vmis?: Stats;
  pods?: Stats;
  allMs: number;
  converged: boolean;
  perNode: Record<string, number>;
  watchErrors: string[];
  /** Times a watch stream ended and was resumed (a Worker restart under the bench). */
  watchResumes: number;
  /** Creation → bound to a node (the scheduler's part), per kind. */
  bind: { vmis?: { p50: number; p95: number }; pods?: { p50: number; p95: number } };
  /** Seconds from the owners' create requests to each object first seen Running and Ready, ascending (the converge curve). */
  runningAtS: { vmis?: number[]; pods?: number[] };
}

/** The real thing: a VMIRS and a ReplicaSet created at once; every child watched to Running/Ready. */
async function real(t: Target, ns: string): Promise<Real> {
  const agent = benchAgent(4);
  const kinds = [
    { n: nVMIs, watch: `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, owner: `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancereplicasets`,
      body: { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceReplicaSet", metadata: { name: "fleet" },
        spec: { replicas: nVMIs, selector: { matchLabels: { app: "fleet-vm" } }, template: { metadata: { labels: { app: "fleet-vm" } }, spec: VMI_SPEC } } } },
    { n: nPods, watch: `/api/v1/namespaces/${ns}/pods`, owner: `/apis/apps/v1/namespaces/${ns}/replicasets`,
      body: { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "fleet" },
        spec: { replicas: nPods, selector: { matchLabels: { app: "fleet-pod" } }, template: { metadata: { labels: { app: "fleet-pod" } }, spec: POD_SPEC } } } },
  ].filter((k) => k.n > 0);
  let wake: () => void = () => {};
  const watches = await Promise.all(kinds.map((k) => FleetWatch.open(t.url, t.token, agent, k.watch, () => wake())));
  const done = (): boolean => watches.every((w, i) => w.runningCount() >= (kinds[i]?.n ?? 0));
  const start = process.hrtime.bigint();
  const allDone: (number | undefined)[] = kinds.map(() => undefined);
  try {
    await Promise.all(kinds.map((k) => ok(t, agent, "POST", k.owner, JSON.stringify(k.body))));
    const deadline = Date.now() + timeoutMs;
    let last = 0;
    while (!done() && Date.now() < deadline) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 1000);
      });
      watches.forEach((w, i) => {
        if (allDone[i] === undefined && w.runningCount() >= (kinds[i]?.n ?? 0)) allDone[i] = msSince(start);
      });
      if (Date.now() - last > 10_000) {
        last = Date.now();
        console.log(`  ${(msSince(start) / 1000).toFixed(0)} s: ${watches.map((w, i) => {
          const { seen, bound } = w.stageCounts();
          return `${kinds[i]?.watch.endsWith("/pods") ? "pods" : "VMIs"} ${seen} created, ${bound} bound, ${w.runningCount()}/${kinds[i]?.n} Running`;
        }).join("; ")}`);
      }
    }
    const allMs = msSince(start);
    const perNode: Record<string, number> = {};
    for (const w of watches) for (const [node, n] of w.perNode()) perNode[node] = (perNode[node] ?? 0) + n;
    const byKind = (watch: string): Stats | undefined => {
      const i = kinds.findIndex((k) => k.watch === watch);
      const w = watches[i];
      return w ? stats(w.latencies(), allDone[i] ?? allMs) : undefined;
    };
    return {
      vmis: byKind(kinds.find((k) => k.watch.includes("virtualmachineinstances"))?.watch ?? ""),
      pods: byKind(kinds.find((k) => k.watch.endsWith("/pods"))?.watch ?? ""),
      allMs, converged: done(), perNode, watchErrors: watches.flatMap((w) => w.errors),
      watchResumes: watches.reduce((n, w) => n + w.resumes, 0),
      bind: Object.fromEntries(kinds.map((k, i) => {
        const sorted = watches[i]?.bindLatencies() ?? [];
        return [k.watch.endsWith("/pods") ? "pods" : "vmis", { p50: percentile(sorted, 50), p95: percentile(sorted, 95) }];
      })),
      runningAtS: Object.fromEntries(kinds.map((k, i) => [k.watch.endsWith("/pods") ? "pods" : "vmis", watches[i]?.runningTimes(start) ?? []])),
    };
  } finally {
    for (const w of watches) w.close();
    agent.destroy();
  }
}

let hosts: LocalHost[] = [];
let target: Target | undefined;
let cdp: CdpClient | undefined;
const inspectorPort = values.profile ? await freePort() : undefined;
const RESULTS_DIR = process.env.DURAPLANE_BENCH_RESULTS ?? join(dirname(fileURLToPath(import.meta.url)), "results");

/** The real phase, under the profiler when --profile asks for it. */
async function realPhase(t: Target, ns: string): Promise<Real> {
  if (inspectorPort === undefined || !cdp) return real(t, ns);
  const map = SourceMap.forBundle(buildWorker());
  let result: Real | undefined;
  const session = cdp;
  const { figures, profile } = await profilePhase(session, "fleet", async () => {
    result = await real(t, ns);
    // The denominator: objects brought to Running.
    return { requests: nVMIs + nPods };
  }, { samplingIntervalUs: samplingUs, top: 20, ...(map ? { remap: (p) => remapProfile(p, map) } : {}) });
  const file = saveProfile(RESULTS_DIR, new Date().toISOString().replace(/[:.]/g, "-"), "fleet", profile);
  console.log(`${formatPhase(figures)}\nprofile: ${file}`);
  if (!result) throw new Error("the real phase gave no result");
  return result;
}

/**
 * Real hosts leave their VMs and containers running when their agents stop
 * (as the kubelet does): delete the workloads through the API while the
 * agents still run, then sweep what is left of the hosts' domains and containers.
 */
async function stopRealHosts(): Promise<void> {
  if (target && hosts.length > 0) {
    const agent = benchAgent(1);
    try {
      await ok(target, agent, "DELETE", "/apis/kubevirt.io/v1/namespaces/fleet/virtualmachineinstancereplicasets/fleet").catch(() => undefined);
      await ok(target, agent, "DELETE", "/apis/apps/v1/namespaces/fleet/replicasets/fleet").catch(() => undefined);
      const deadline = Date.now() + 60_000;
      for (const p of ["/apis/kubevirt.io/v1/namespaces/fleet/virtualmachineinstances", "/api/v1/namespaces/fleet/pods"]) {
        while (Date.now() < deadline) {
          const left = await ok(target, agent, "GET", `${p}?limit=1`).then((r) => (JSON.parse(r.body) as { items: unknown[] }).items.length, () => 0);
          if (left === 0) break;
          await sleep(1000);
        }
      }
    } finally {
      agent.destroy();
    }
  }
  await stopHosts(hosts);
  const virsh = new Virsh({ uri: "qemu:///system" });
  const ctr = new Ctr({});
  for (const h of hosts) {
    await sweepDomains(virsh, domainPrefixFor(h.name)).catch(() => []);
    await sweepNodeContainers(ctr, h.name);
  }
}

const f = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? "" : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? "" : `${(a / b).toFixed(2)}×`);

await runBench({
  name: realRuntime ? "fleet-real" : "fleet",
  server: { hosts: 0, ...(inspectorPort !== undefined ? { inspectorPort } : {}) },
  beforeStop: async () => {
    await cdp?.close();
    await (realRuntime ? stopRealHosts() : stopHosts(hosts));
  },
}, async (server) => {
  const t: Target = { url: server.url, token: server.token };
  target = t;
  // Attached now, while the machine is quiet: a connect during the burst can time out.
  if (inspectorPort !== undefined) cdp = await CdpClient.connect(inspectorPort);
  if (realRuntime) await buildImages({ ctr: new Ctr({}), only: [TINY_VM_REF, BUSYBOX_REF] });

  console.log(`floor: ${nVMIs} VMIs and ${nPods} pods created and marked Running by ${clients} clients (no hosts yet)`);
  await createNamespace(t, "fleet-floor");
  const serverPid = server.process.pid;
  const floorCpu = sampleAll(serverPid, hosts);
  const floorStart = process.hrtime.bigint();
  const [floorVMIs, floorPods] = await Promise.all([
    nVMIs > 0 ? floor(t, "fleet-floor", "vmis", nVMIs) : undefined,
    nPods > 0 ? floor(t, "fleet-floor", "pods", nPods) : undefined,
  ]);
  const floorAllMs = msSince(floorStart);
  const floorSpent = cpuSpent(floorCpu, sampleAll(serverPid, hosts));
  console.log(`  floor done in ${f(floorAllMs)}; clearing it`);
  await clearFloor(t, "fleet-floor");

  console.log(realRuntime ? `joining ${hostCount} real hosts (libvirt/QEMU and containerd)` : `joining ${hostCount} simulated hosts (boot delay ${bootDelayMs} ms)`);
  hosts = await startHosts(t.url, t.token, server.state, hostCount, realRuntime
    ? {
      // Each advertises this machine's size, however many share it: the bench measures the runtimes, not packing.
      runArgs: ["--vm-runtime", "libvirt", "--container-runtime", "containerd", "--heartbeat-interval-ms", "2000"],
    }
    : {
      joinArgs: ["--cpu", "64", "--memory", "256Gi", "--pods", "500"],
      runArgs: ["--boot-delay-ms", String(bootDelayMs), "--stop-delay-ms", "200"],
    });
  await nodesReady(t, hostCount);
  await createNamespace(t, "fleet");
  await sleep(3000);

  console.log(`controllers: a VMIRS of ${nVMIs} and a ReplicaSet of ${nPods} over ${hostCount} hosts`);
  const realCpu = sampleAll(serverPid, hosts);
  const r = await realPhase(t, "fleet");
  const realSpent = cpuSpent(realCpu, sampleAll(serverPid, hosts));
  const counts = Object.values(r.perNode);
  const rows = [["VMIs", r.vmis, floorVMIs], ["pods", r.pods, floorPods]] as const;
  const head = "| objects | N | all Running (real) | floor | ratio | p50 real | p50 floor | p95 real | p99 real | p99 floor | p99 ratio |";
  const lines = rows.filter(([, real]) => real).map(([what, real, fl]) =>
    `| ${what} | ${real?.count ?? 0} | ${f(real?.wallMs)} | ${f(fl?.wallMs)} | ${ratio(real?.wallMs, fl?.wallMs)} | ${f(real?.p50)} | ${f(fl?.p50)} | ${f(real?.p95)} | ${f(real?.p99)} | ${f(fl?.p99)} | ${ratio(real?.p99, fl?.p99)} |`);
  console.log(`\n${head}\n|${"---|".repeat(11)}\n${lines.join("\n")}`);
  console.log(`\nboth kinds all Running: ${f(r.allMs)} (floor, both kinds at once: ${f(floorAllMs)}, ${ratio(r.allMs, floorAllMs)}); ` +
    `per host ${Math.min(...counts)}–${Math.max(...counts)} objects over ${counts.length} hosts; converged: ${r.converged}`);
  console.log(`creation → bound p50 / p95: ${Object.entries(r.bind).map(([k, b]) => `${k} ${f(b?.p50)} / ${f(b?.p95)}`).join(", ")}`);
  console.log(`CPU in the floor: ${cpuLine(floorSpent)}\nCPU in the real phase: ${cpuLine(realSpent)}`);
  if (restartedRequests() > 0) console.log(`${restartedRequests()} floor requests were sent again after the Worker restarted under them`);
  if (r.watchResumes > 0) console.log(`watch streams resumed ${r.watchResumes} times (the Worker restarted under the bench: figures include the restart)`);
  if (r.watchErrors.length > 0) console.log(`watch errors: ${r.watchErrors.join("; ")}`);
  return {
    figures: { restartedRequests: restartedRequests(), cpuSeconds: { floor: floorSpent, real: realSpent }, runtime: values.runtime, hosts: hostCount, vmis: nVMIs, pods: nPods, clients, bootDelayMs, floor: { vmis: floorVMIs, pods: floorPods, allMs: floorAllMs }, real: r },
    ...(r.converged ? {} : { failed: "not every object reached Running and Ready in time" }),
  };
});
