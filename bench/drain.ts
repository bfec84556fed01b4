/**
 * `npm run bench:drain`: a host running N VMIs is drained, and every VMI
 * live-migrates off it. H simulated hosts (real duraplane-agent processes)
 * join; all but host-1 are cordoned while a VMIRS of N (evictionStrategy
 * LiveMigrate) starts, so every VMI runs on host-1; the others are
 * uncordoned; then host-1 is cordoned — what `kubectl drain` does first, and
 * what starts KubeVirt's evacuation — and the clock runs until no VMI is on
 * host-1 any more.
 *
 *   npx tsx bench/drain.ts [--hosts 3] [--vmis 100] [--migration-duration-ms 1000] [--timeout-s 600]
 *
 * The floor is the simulated transfers alone: ceil(N ÷ the outbound bound
 * per node (2, KubeVirt's parallelOutboundMigrationsPerNode)) waves of one
 * migration duration each — what the drain would take if scheduling,
 * the migration objects' phases and every report cost nothing. The bench
 * also checks what a live migration promises: every VMI keeps its uid and
 * stays Running throughout (a restart or a phase dip is counted).
 *
 * Prints a table and writes bench/results/drain-<timestamp>.json (and the
 * server's output on failure).
 */
import type { Agent } from "node:https";
import { parseArgs } from "node:util";
import { type LocalHost, startHosts, stopHosts } from "../scripts/local-hosts.ts";
import { intList } from "./bench-args.ts";
import { runBench } from "./bench-server.ts";
import { createNamespace, nodesReady, ok, type Target } from "./converge-phases.ts";
import { benchAgent } from "./load.ts";

const { values } = parseArgs({
  options: {
    hosts: { type: "string", default: "3" },
    vmis: { type: "string", default: "100" },
    "migration-duration-ms": { type: "string", default: "1000" },
    "timeout-s": { type: "string", default: "600" },
  },
  allowPositionals: false,
});
const [hostCount = 3] = intList("hosts", values.hosts, 2, 50);
const [nVMIs = 100] = intList("vmis", values.vmis, 1, 2000);
const [migrationMs = 1000] = intList("migration-duration-ms", values["migration-duration-ms"], 0, 60_000);
const [timeoutS = 600] = intList("timeout-s", values["timeout-s"], 10, 3600);
/** KubeVirt's parallelOutboundMigrationsPerNode, and the server's default (wrangler.toml). */
const OUTBOUND_PER_NODE = 2;
const NS = "drain";
const SOURCE = "host-1";
const VMIS = `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

interface VMIItem {
  metadata?: { name?: string; uid?: string };
  status?: { phase?: string; nodeName?: string; migrationState?: { completed?: boolean; failed?: boolean } };
}

async function listVMIs(t: Target, agent: Agent): Promise<VMIItem[]> {
  return (JSON.parse((await ok(t, agent, "GET", VMIS)).body) as { items?: VMIItem[] }).items ?? [];
}

async function setUnschedulable(t: Target, agent: Agent, node: string, unschedulable: boolean): Promise<void> {
  await ok(t, agent, "PATCH", `/api/v1/nodes/${node}`, JSON.stringify({ spec: { unschedulable } }));
}

/** Polls until `check` holds for the VMIs listed, or fails after `ms`. */
async function until(t: Target, agent: Agent, what: string, ms: number, check: (items: VMIItem[]) => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (check(await listVMIs(t, agent))) return;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${ms / 1000} s`);
    await sleep(500);
  }
}

/** What the drain phase saw. */
interface Drain {
  converged: boolean;
  /** Cordon sent → the list that first showed no VMI on the source. */
  ms: number;
  /** [seconds, VMIs still on the source], one point per change. */
  curve: [number, number][];
  /** VMIs whose uid changed or went missing (restarted instead of migrated). */
  restarted: number;
  /** Times a VMI was listed in a phase other than Running. */
  phaseDips: number;
  /** Migrations by phase at the end. */
  migrations: Record<string, number>;
}

async function drain(t: Target, agent: Agent, uids: Map<string, string>): Promise<Drain> {
  const start = process.hrtime.bigint();
  await setUnschedulable(t, agent, SOURCE, true);
  const curve: [number, number][] = [];
  let phaseDips = 0;
  let lastItems: VMIItem[] = [];
  let converged = false;
  let ms = 0;
  let lastLog = 0;
  for (;;) {
    const res = await ok(t, agent, "GET", VMIS);
    lastItems = (JSON.parse(res.body) as { items?: VMIItem[] }).items ?? [];
    ms = Number(res.endNs - start) / 1e6;
    const onSource = lastItems.filter((v) => v.status?.nodeName === SOURCE).length;
    phaseDips += lastItems.filter((v) => v.status?.phase !== "Running").length;
    if (curve.at(-1)?.[1] !== onSource) curve.push([ms / 1000, onSource]);
    if (ms - lastLog > 10_000) {
      lastLog = ms;
      console.log(`  ${(ms / 1000).toFixed(0)} s: ${onSource}/${nVMIs} VMIs still on ${SOURCE}`);
    }
    if (onSource === 0 && lastItems.length === nVMIs) {
      converged = true;
      break;
    }
    if (ms > timeoutS * 1000) break;
    await sleep(250);
  }
  const restarted = [...uids].filter(([name, uid]) => lastItems.find((v) => v.metadata?.name === name)?.metadata?.uid !== uid).length;
  const migrations: Record<string, number> = {};
  const vmims = JSON.parse((await ok(t, agent, "GET", `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstancemigrations`)).body) as { items?: { status?: { phase?: string } }[] };
  for (const m of vmims.items ?? []) {
    const phase = m.status?.phase ?? "(none)";
    migrations[phase] = (migrations[phase] ?? 0) + 1;
  }
  return { converged, ms, curve, restarted, phaseDips, migrations };
}

let hosts: LocalHost[] = [];

await runBench({ name: "drain", server: { hosts: 0 }, beforeStop: () => stopHosts(hosts) }, async (server) => {
  const t: Target = { url: server.url, token: server.token };
  const agent = benchAgent(2);
  try {
    console.log(`joining ${hostCount} simulated hosts (migration duration ${migrationMs} ms)`);
    hosts = await startHosts(t.url, t.token, server.state, hostCount, {
      joinArgs: ["--cpu", "64", "--memory", "256Gi", "--pods", "500"],
      runArgs: ["--boot-delay-ms", "200", "--stop-delay-ms", "200", "--migration-duration-ms", String(migrationMs)],
    });
    await nodesReady(t, hostCount);
    const others = hosts.map((h) => h.name).filter((n) => n !== SOURCE);
    for (const n of others) await setUnschedulable(t, agent, n, true);
    await createNamespace(t, NS);
    await ok(t, agent, "POST", `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstancereplicasets`, JSON.stringify({
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceReplicaSet", metadata: { name: "drain" },
      spec: {
        replicas: nVMIs, selector: { matchLabels: { app: "drain" } },
        template: {
          metadata: { labels: { app: "drain" } },
          spec: { evictionStrategy: "LiveMigrate", domain: { devices: {}, resources: { requests: { memory: "64Mi", cpu: "100m" } } } },
        },
      },
    }));
    console.log(`a VMIRS of ${nVMIs} on ${SOURCE} (the other hosts cordoned)`);
    await until(t, agent, `${nVMIs} VMIs Running on ${SOURCE}`, 300_000,
      (items) => items.length === nVMIs && items.every((v) => v.status?.phase === "Running" && v.status.nodeName === SOURCE));
    const uids = new Map((await listVMIs(t, agent)).map((v) => [v.metadata?.name ?? "", v.metadata?.uid ?? ""]));
    for (const n of others) await setUnschedulable(t, agent, n, false);
    await sleep(2000);

    console.log(`draining ${SOURCE}: cordon, then every VMI live-migrates`);
    const d = await drain(t, agent, uids);
    const floorMs = Math.ceil(nVMIs / OUTBOUND_PER_NODE) * migrationMs;
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(`\n| VMIs | hosts | migration duration | drain (cordon → source empty) | floor (transfers alone) | ratio | restarted | phase dips | migrations |`);
    console.log(`|---|---|---|---|---|---|---|---|---|`);
    console.log(`| ${nVMIs} | ${hostCount} | ${migrationMs} ms | ${d.converged ? s(d.ms) : `not converged at ${s(d.ms)}`} | ${s(floorMs)} | ${floorMs > 0 ? (d.ms / floorMs).toFixed(2) : ""}× | ${d.restarted} | ${d.phaseDips} | ${Object.entries(d.migrations).map(([p, n]) => `${p} ${n}`).join(", ")} |\n`);
    const failed = !d.converged ? "the source host was not empty in time"
      : d.restarted > 0 ? `${d.restarted} VMIs were restarted, not migrated`
      : d.phaseDips > 0 ? `VMIs were listed ${d.phaseDips} times in a phase other than Running` : undefined;
    return {
      figures: { hosts: hostCount, vmis: nVMIs, migrationMs, outboundPerNode: OUTBOUND_PER_NODE, floorMs, drain: d, ratio: floorMs > 0 ? d.ms / floorMs : undefined },
      ...(failed ? { failed } : {}),
    };
  } finally {
    agent.destroy();
  }
});
