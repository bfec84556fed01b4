/**
 * @module
 * A process's cgroup counters, as cAdvisor reads them for the kubelet: the
 * cgroup comes from /proc/<pid>/cgroup (containerd's runc puts each task in
 * its own), CPU from `cpu.stat` usage_usec (cgroup v2) or
 * `cpuacct.usage` (v1, nanoseconds), memory as the working set — usage
 * (`memory.current`, v1 `memory.usage_in_bytes`) less inactive file pages
 * (`memory.stat` inactive_file, v1 total_inactive_file), which is what
 * metrics-server serves as a container's memory.
 * @see https://github.com/google/cadvisor/blob/master/container/libcontainer/handler.go
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** Where a process's cgroups are: the unified (v2) path, and the v1 cpuacct and memory hierarchies. */
export interface CgroupPaths {
  unified?: string;
  /** v1: the mount directory name (`cpuacct`, `cpu,cpuacct`) and the path inside it. */
  cpuacct?: { controller: string; path: string };
  memory?: { controller: string; path: string };
}

/** Parses /proc/<pid>/cgroup (`hierarchy-ID:controllers:path` per line). */
export function parseProcCgroup(text: string): CgroupPaths {
  const out: CgroupPaths = {};
  for (const line of text.split("\n")) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers = "", path = "/"] = m;
    if (id === "0" && controllers === "") {
      out.unified = path;
      continue;
    }
    const names = controllers.split(",");
    if (names.includes("cpuacct")) out.cpuacct = { controller: controllers, path };
    if (names.includes("memory")) out.memory = { controller: controllers, path };
  }
  return out;
}

/** A `key value` line of a stat file (cpu.stat, memory.stat). */
export function statValue(text: string, key: string): number | undefined {
  const v = new RegExp(`^${key} (\\d+)$`, "m").exec(text)?.[1];
  return v === undefined ? undefined : Number(v);
}

/** The counters of one cgroup. */
export interface CgroupCounters {
  cpuNanoseconds: number;
  memoryBytes: number;
}

async function read(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Working set: usage less inactive file pages, never below zero (cAdvisor's). */
function workingSet(usage: number, inactiveFile: number | undefined): number {
  return Math.max(0, usage - (inactiveFile ?? 0));
}

/** Reads the counters of the cgroup of `pid`; undefined when the process or its cgroup is gone. */
export async function readCgroupCounters(pid: number, root = "/sys/fs/cgroup", proc = "/proc"): Promise<CgroupCounters | undefined> {
  const text = await read(join(proc, String(pid), "cgroup"));
  if (text === undefined) return undefined;
  const paths = parseProcCgroup(text);
  // cgroup v2 when the unified hierarchy has the controllers (a hybrid host mounts it at root/unified).
  if (paths.unified !== undefined && !paths.cpuacct) {
    const dir = join(root, paths.unified);
    const [cpuStat, current, memoryStat] = await Promise.all([read(join(dir, "cpu.stat")), read(join(dir, "memory.current")), read(join(dir, "memory.stat"))]);
    const usec = cpuStat === undefined ? undefined : statValue(cpuStat, "usage_usec");
    if (usec === undefined || current === undefined) return undefined;
    return { cpuNanoseconds: usec * 1000, memoryBytes: workingSet(Number(current.trim()), memoryStat === undefined ? undefined : statValue(memoryStat, "inactive_file")) };
  }
  if (!paths.cpuacct || !paths.memory) return undefined;
  const cpuDir = join(root, paths.cpuacct.controller, paths.cpuacct.path);
  const memDir = join(root, paths.memory.controller, paths.memory.path);
  const [usage, memUsage, memoryStat] = await Promise.all([
    read(join(cpuDir, "cpuacct.usage")), read(join(memDir, "memory.usage_in_bytes")), read(join(memDir, "memory.stat")),
  ]);
  if (usage === undefined || memUsage === undefined) return undefined;
  return {
    cpuNanoseconds: Number(usage.trim()),
    memoryBytes: workingSet(Number(memUsage.trim()), memoryStat === undefined ? undefined : statValue(memoryStat, "total_inactive_file")),
  };
}
