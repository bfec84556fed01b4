/**
 * @module
 * A real host's own counters for the node's usage: busy CPU time from the
 * first line of /proc/stat (everything but idle and iowait) and memory in
 * use as MemTotal − MemAvailable from /proc/meminfo. The kubelet reads the
 * root cgroup instead; on a host that runs only duraplane's workloads the
 * figures agree closely, and /proc needs no cgroup version of its own.
 */
import { readFile } from "node:fs/promises";
import type { HostCounters } from "./usage.ts";

/** Linux's USER_HZ: /proc/stat counts in 1/100 s on every architecture we run on. */
const USER_HZ = 100;

/** Busy CPU time in nanoseconds from /proc/stat's text; undefined when it has no `cpu` line. */
export function busyCpuNanoseconds(stat: string): number | undefined {
  const line = /^cpu\s+([\d\s]+)$/m.exec(stat)?.[1];
  if (!line) return undefined;
  const fields = line.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already inside user and nice).
  const [user = 0, nice = 0, system = 0, _idle = 0, _iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1e9) / USER_HZ;
}

/** Memory in use in bytes from /proc/meminfo's text (MemTotal − MemAvailable); undefined without both. */
export function memoryInUseBytes(meminfo: string): number | undefined {
  const kb = (key: string): number | undefined => {
    const v = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, "m").exec(meminfo)?.[1];
    return v === undefined ? undefined : Number(v);
  };
  const total = kb("MemTotal");
  const available = kb("MemAvailable");
  return total === undefined || available === undefined ? undefined : (total - available) * 1024;
}

/** Reads the host's counters now; undefined where /proc is not Linux's. */
export async function procHostCounters(proc = "/proc"): Promise<HostCounters | undefined> {
  try {
    const [stat, meminfo] = await Promise.all([readFile(`${proc}/stat`, "utf8"), readFile(`${proc}/meminfo`, "utf8")]);
    const cpu = busyCpuNanoseconds(stat);
    const memory = memoryInUseBytes(meminfo);
    if (cpu === undefined || memory === undefined) return undefined;
    return { timeMs: Date.now(), cpuNanoseconds: cpu, memoryBytes: memory };
  } catch {
    return undefined;
  }
}
