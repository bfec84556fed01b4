/**
 * bench/fleet's helpers: CPU seconds by process group (the server's tree
 * and every agent's), and requests that survive wrangler's 503 "Your worker
 * restarted mid-request" (its proxy's keep-alive race with the runtime,
 * bench/README.md "fleet").
 */
import type { Agent } from "node:https";
import type { LocalHost } from "../scripts/local-hosts.ts";
import { ok, type Target } from "./converge-phases.ts";
import type { TimedResponse } from "./https-request.ts";
import { type CpuSample, cpuBetween, sampleCpu } from "./process-cpu.ts";

/** CPU of the server's process tree and of the agents' (each host's tree), sampled together. */
export function sampleAll(serverPid: number | undefined, hosts: readonly LocalHost[]): { server: CpuSample; agents: CpuSample } {
  const agents: CpuSample = new Map();
  for (const h of hosts) {
    if (h.process.pid === undefined) continue;
    for (const [k, ms] of sampleCpu(h.process.pid)) agents.set(k, ms);
  }
  return { server: serverPid === undefined ? new Map() : sampleCpu(serverPid), agents };
}

/** CPU seconds spent between two samples: the server's by command (workerd, node) and all agents together. */
export function cpuSpent(before: ReturnType<typeof sampleAll>, after: ReturnType<typeof sampleAll>): Record<string, number> {
  // The tree names processes by their command only: both workerd (the runtime and wrangler's proxy) are one line, as are the node ones.
  const short = (command: string): string => {
    if (command.startsWith("workerd")) return "workerd (runtime and proxy)";
    if (command.startsWith("node")) return "node (wrangler, npm start)";
    return command.split(" ")[0] ?? command;
  };
  const out: Record<string, number> = {};
  for (const [command, ms] of Object.entries(cpuBetween(before.server, after.server))) out[short(command)] = (out[short(command)] ?? 0) + ms / 1000;
  out["agents (all hosts)"] = Object.values(cpuBetween(before.agents, after.agents)).reduce((a, b) => a + b, 0) / 1000;
  return out;
}

export const cpuLine = (spent: Record<string, number>): string =>
  Object.entries(spent).filter(([, s]) => s >= 0.5).sort((a, b) => b[1] - a[1]).map(([k, s]) => `${k} ${s.toFixed(1)} s`).join(", ");

/** Requests answered with wrangler's "Your worker restarted mid-request" (503) and sent again. */
let restarted = 0;

/** How many requests {@link sendSurvivingRestart} sent again so far. */
export function restartedRequests(): number {
  return restarted;
}

/**
 * `ok`, but a request that wrangler answers "Your worker restarted
 * mid-request" is sent again (the runtime reloaded under it, which happens
 * on a loaded machine); a create sent again that finds its object made by
 * the first attempt counts as done.
 */
export async function sendSurvivingRestart(t: Target, agent: Agent, method: string, path: string, body: string): Promise<TimedResponse> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ok(t, agent, method, path, body);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      if (attempt > 1 && method === "POST" && text.includes("answered 409")) {
        const name = (JSON.parse(body) as { metadata: { name: string } }).metadata.name;
        return await ok(t, agent, "GET", `${path}/${name}`);
      }
      if (attempt >= 5 || !text.includes("restarted mid-request")) throw err;
      restarted++;
    }
  }
}
