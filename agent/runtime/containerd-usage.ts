/**
 * @module
 * The containerd adapter's usage: every running container's task pid from
 * `ctr tasks ls`, and the counters of that task's cgroup (cgroup-stats.ts).
 * A pod is sampled when every one of its running containers could be read.
 */
import type { RunState, Workload } from "./adapter.ts";
import { readCgroupCounters } from "./cgroup-stats.ts";
import type { PodRuntimeSpec } from "./containers.ts";
import { type Ctr, tableRows } from "./ctr.ts";
import type { ContainerCounters, UsageSample } from "./usage.ts";

/** What the adapter knows of a pod, as far as usage needs it. */
export interface PodRuns {
  workload: Workload<PodRuntimeSpec>;
  removed: boolean;
  runs: Iterable<{ name: string; id?: string; state: RunState }>;
}

/** `ctr tasks ls` (TASK PID STATUS) as task id → pid, running tasks only. */
export function runningTaskPids(table: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id = "", pid = "", status = ""] of tableRows(table)) {
    if (status === "RUNNING" && /^\d+$/.test(pid) && pid !== "0") out.set(id, Number(pid));
  }
  return out;
}

/** Samples the running containers of `pods`. */
export async function containerdUsage(ctr: Ctr, pods: Iterable<PodRuns>, read = readCgroupCounters): Promise<UsageSample[]> {
  const pids = runningTaskPids(await ctr.run(["tasks", "ls"], 10_000));
  const work: Promise<UsageSample | undefined>[] = [];
  for (const pod of pods) {
    if (pod.removed) continue;
    const running = [...pod.runs].filter((r) => r.state.phase === "running" && r.id !== undefined && pids.has(r.id));
    if (running.length === 0) continue;
    work.push((async () => {
      const timeMs = Date.now();
      const containers: ContainerCounters[] = [];
      for (const run of running) {
        const counters = await read(pids.get(run.id ?? "") ?? 0);
        if (!counters) return undefined;
        containers.push({ name: run.name, ...counters });
      }
      const { uid, namespace, name } = pod.workload;
      return { uid, namespace, name, timeMs, containers };
    })());
  }
  return (await Promise.all(work)).filter((s): s is UsageSample => s !== undefined);
}
