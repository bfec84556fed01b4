/**
 * `npm run bench:converge`: a ReplicaSet, a Deployment and a VMIRS scaled from 0 to N —
 * time until `status.replicas` equals N, then, with readiness driven by the
 * bench (status patches as a kubelet or virt-handler would send), until
 * `status.readyReplicas` equals N — beside floors measured in the same run:
 * creating N children directly through the API, and N status patches on
 * children no controller owns. The Deployment then rolls out a new template
 * (bench/converge-rollout.ts), timed beside the floor's creates plus patches.
 *
 *   npx tsx bench/converge.ts [--sizes 100,1000] [--kinds ReplicaSet,Deployment,VMIRS] [--clients 16]
 *                             [--timeout-s 300] [--settle-ms 3000]
 *
 * Prints a table and writes the figures to bench/results/converge-<timestamp>.json;
 * if a phase did not converge or the run failed, also the server's output to
 * converge-<timestamp>.log beside it. Exits 1 then.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { runBench } from "./bench-server.ts";
import { createMany, createNamespace, listNames, ok, patchStatuses, pollStatus, type PollResult, type Target, warm } from "./converge-phases.ts";
import { deploymentWorkload, WORKLOADS, type Workload } from "./converge-workload.ts";
import { rollout, type RolloutResult } from "./converge-rollout.ts";
import { benchAgent } from "./load.ts";
import { intList } from "./bench-args.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "100,1000" },
    kinds: { type: "string", default: WORKLOADS.map((w) => w.kind).join(",") },
    clients: { type: "string", default: "16" },
    "timeout-s": { type: "string", default: "300" },
    "settle-ms": { type: "string", default: "3000" },
  },
  allowPositionals: false,
});
const sizes = intList("sizes", values.sizes, 1, 5000);
if (sizes.length > 4) throw new Error("--sizes: at most 4 sizes");
const [clients = 1] = intList("clients", values.clients, 1, 128);
const [timeoutS = 300] = intList("timeout-s", values["timeout-s"], 1, 600);
const [settleMs = 0] = intList("settle-ms", values["settle-ms"], 0, 60_000);
const timeoutMs = timeoutS * 1000;
const workloads = values.kinds.split(",").map((k) => {
  const w = WORKLOADS.find((x) => x.kind.toLowerCase() === k.trim().toLowerCase());
  if (!w) throw new Error(`--kinds: unknown kind ${k}; known: ${WORKLOADS.map((x) => x.kind).join(", ")}`);
  return w;
});

/** One (kind, N) row; times in ms. */
interface Row {
  kind: string;
  n: number;
  /** N direct creates by C clients. */
  floorCreateMs: number;
  /** N status patches by C clients on the floor's children, which no controller owns. */
  floorPatchMs: number;
  /** PATCH /scale sent → GET saw status.replicas == N. */
  converge: PollResult;
  /** Children listed after T1 (more than N would be over-creation). */
  childrenAfterConverge?: number;
  /** N status patches by C clients on the controller's children. */
  readinessPatchMs?: number;
  /** First readiness patch sent → GET saw status.readyReplicas == N. */
  ready?: PollResult;
  /** converge ÷ floor create. */
  convergeRatio: number;
  /** ready ÷ floor patches. */
  readyRatio?: number;
  /** ready ÷ this phase's own patches: the controller's lag behind the last patch. */
  readyOverOwnPatches?: number;
  /** Deployment only: a new template rolled out to all N pods. */
  rollout?: RolloutResult;
  /** rollout ÷ (floor create + floor patches): N new pods created and made ready, at least. */
  rolloutRatio?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const suffix = () => randomBytes(3).toString("hex");

/** Floor: N children created straight through the API, then N readiness patches on them. */
async function floor(t: Target, w: Workload, n: number): Promise<{ createMs: number; patchMs: number }> {
  const ns = `floor-${w.kind.toLowerCase()}-${n}-${suffix()}`;
  await createNamespace(t, ns);
  const agent = benchAgent(clients);
  try {
    await warm(t, agent, clients, ns);
    const created = await createMany(t, agent, clients, w.childPath(ns), w.childBody(), n);
    const patchMs = await patchStatuses(t, agent, clients, w.childPath(ns), created.names, w.readyPatch);
    return { createMs: created.wallMs, patchMs };
  } finally {
    agent.destroy();
  }
}

/** Controller: owner at 0 replicas, scaled to N, then every child made ready by the bench. */
async function controller(t: Target, w: Workload, n: number): Promise<Pick<Row, "converge" | "childrenAfterConverge" | "readinessPatchMs" | "ready" | "rollout">> {
  const ns = `ctrl-${w.kind.toLowerCase()}-${n}-${suffix()}`;
  await createNamespace(t, ns);
  const poller = benchAgent(1);
  const agent = benchAgent(clients);
  try {
    const owner = `${w.ownerPath(ns)}/converge`;
    await ok(t, poller, "POST", w.ownerPath(ns), w.ownerBody("converge"));
    await warm(t, agent, clients, ns);
    const start = process.hrtime.bigint();
    await ok(t, poller, "PATCH", `${owner}/scale`, JSON.stringify({ spec: { replicas: n } }));
    const converge = await pollStatus(t, poller, owner, "replicas", n, start, timeoutMs);
    console.log(`  ${w.kind} N=${n}: replicas ${converge.last}/${n} after ${(converge.ms / 1000).toFixed(2)} s, ${converge.failedPolls} polls timed out${converge.converged ? "" : " — NOT CONVERGED"}`);
    if (!converge.converged) return { converge };
    const names = await listNames(t, agent, w.childPath(ns));
    const readyStart = process.hrtime.bigint();
    const [readinessPatchMs, ready] = await Promise.all([
      patchStatuses(t, agent, clients, w.childPath(ns), names, w.readyPatch),
      pollStatus(t, poller, owner, "readyReplicas", n, readyStart, timeoutMs),
    ]);
    console.log(`  ${w.kind} N=${n}: readyReplicas ${ready.last}/${n} after ${(ready.ms / 1000).toFixed(2)} s, ${ready.failedPolls} polls timed out${ready.converged ? "" : " — NOT CONVERGED"}`);
    if (w !== deploymentWorkload || !ready.converged) return { converge, childrenAfterConverge: names.length, readinessPatchMs, ready };
    await sleep(settleMs);
    const r = await rollout(t, agent, poller, clients, owner, w.childPath(ns), deploymentWorkload.rolloutPatch, w.readyPatch, n, timeoutMs);
    console.log(`  ${w.kind} N=${n}: rollout ${r.last.updatedReplicas} updated, ${r.last.availableReplicas} available of ${n} after ${(r.ms / 1000).toFixed(2)} s (${r.readinessPatches} readiness patches)${r.converged ? "" : " — NOT CONVERGED"}`);
    return { converge, childrenAfterConverge: names.length, readinessPatchMs, ready, rollout: r };
  } finally {
    agent.destroy();
    poller.destroy();
  }
}

async function run(t: Target): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of sizes) {
    for (const w of workloads) {
      // The floor first, then a pause so its creates' background work
      // (recovery alarms) is not billed to the controller phase.
      const f = await floor(t, w, n);
      console.log(`  ${w.kind} N=${n}: floor create ${(f.createMs / 1000).toFixed(2)} s, floor patches ${(f.patchMs / 1000).toFixed(2)} s`);
      await sleep(settleMs);
      const c = await controller(t, w, n);
      rows.push({
        kind: w.kind,
        n,
        floorCreateMs: f.createMs,
        floorPatchMs: f.patchMs,
        ...c,
        convergeRatio: c.converge.ms / f.createMs,
        ...(c.ready ? { readyRatio: c.ready.ms / f.patchMs } : {}),
        ...(c.ready && c.readinessPatchMs ? { readyOverOwnPatches: c.ready.ms / c.readinessPatchMs } : {}),
        ...(c.rollout?.converged ? { rolloutRatio: c.rollout.ms / (f.createMs + f.patchMs) } : {}),
      });
      await sleep(settleMs);
    }
  }
  return rows;
}

function table(rows: readonly Row[]): string {
  const s = (ms: number | undefined) => (ms === undefined ? "" : (ms / 1000).toFixed(2));
  const poll = (p: PollResult | undefined) => (p === undefined ? "skipped" : p.converged ? s(p.ms) : `not converged (${p.last} at ${s(p.ms)})`);
  const head = ["kind", "N", "floor create s", "converge s (T1)", "T1 ÷ floor", "floor patches s", "readiness patches s", "ready converge s (T2)", "T2 ÷ floor patches"];
  const body = rows.map((r) => [
    r.kind, String(r.n), s(r.floorCreateMs), poll(r.converge), r.converge.converged ? r.convergeRatio.toFixed(2) : "",
    s(r.floorPatchMs), s(r.readinessPatchMs), poll(r.ready), r.ready?.converged && r.readyRatio !== undefined ? r.readyRatio.toFixed(2) : "",
  ]);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const rollouts = rows.filter((r) => r.rollout !== undefined);
  const rolloutHead = ["kind", "N", "floor create + patches s", "rollout s", "rollout ÷ floor", "readiness patches"];
  const rolloutBody = rollouts.map((r) => [
    r.kind, String(r.n), s(r.floorCreateMs + r.floorPatchMs),
    r.rollout?.converged ? s(r.rollout.ms) : `not converged (${r.rollout?.last.updatedReplicas ?? 0} updated at ${s(r.rollout?.ms)})`,
    r.rolloutRatio?.toFixed(2) ?? "", String(r.rollout?.readinessPatches ?? 0),
  ]);
  const main = [line(head), line(head.map(() => "---")), ...body.map(line)].join("\n");
  if (rollouts.length === 0) return main;
  return `${main}\n\nRollout (new template → every pod updated and available):\n\n${[line(rolloutHead), line(rolloutHead.map(() => "---")), ...rolloutBody.map(line)].join("\n")}`;
}

await runBench({ name: "converge" }, async (server) => {
  console.log(`sizes ${sizes.join(",")}, ${clients} clients, give up after ${timeoutS} s per poll`);
  const rows = await run({ url: server.url, token: server.token });
  console.log(`\n${table(rows)}\n`);
  const failed = rows.some((r) => !r.converge.converged || r.ready?.converged !== true || r.rollout?.converged === false);
  return {
    figures: { sizes, kinds: workloads.map((w) => w.kind), clients, timeoutS, settleMs, rows },
    ...(failed ? { failed: "a phase did not converge" } : {}),
  };
});
