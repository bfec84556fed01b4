/**
 * CPU time of a process tree, read from /proc (Linux only): the benches use
 * it to see where a phase's CPU went across the local server's processes —
 * the runtime's workerd (the Worker and every Durable Object), wrangler's dev
 * proxy (a second workerd) and wrangler's node process (which also hosts the
 * local queue broker's loopback) — including work no in-isolate profile sees.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { processTree } from "./process-memory.ts";

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return ticksPerSecond;
}

/** utime + stime of `pid` in ms (every thread), or undefined if it is gone. */
function cpuMsOf(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / clockTicks() : undefined;
}

/** CPU ms so far of each process under `root`, keyed "pid command". */
export type CpuSample = Map<string, number>;

/** Samples every process under `root` (included). */
export function sampleCpu(root: number): CpuSample {
  const out: CpuSample = new Map();
  for (const p of processTree(root)) {
    const ms = cpuMsOf(p.pid);
    if (ms !== undefined) out.set(`${p.pid} ${p.command}`, ms);
  }
  return out;
}

/** CPU ms spent between two samples, by command (processes of one command summed), largest first. */
export function cpuBetween(before: CpuSample, after: CpuSample): Record<string, number> {
  const byCommand = new Map<string, number>();
  for (const [key, ms] of after) {
    const command = key.slice(key.indexOf(" ") + 1);
    byCommand.set(command, (byCommand.get(command) ?? 0) + ms - (before.get(key) ?? 0));
  }
  return Object.fromEntries([...byCommand.entries()].filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1]));
}
