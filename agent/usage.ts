/**
 * @module
 * Turns the runtimes' cumulative counters into the usage section of a
 * report, as metrics-server turns the kubelet's: CPU is the change of
 * cumulative CPU time between two samples of the same workload divided by
 * the time between them (the window), memory the latest value. A workload
 * seen for the first time, or whose counter went backwards (a restart), has
 * no rate yet and is left out until the next sample. The host's own usage
 * comes from a host reader (real runtimes: /proc, host-usage.ts) or, for
 * simulated hosts, is the sum of what runs on it plus a modelled base.
 * @see https://github.com/kubernetes-sigs/metrics-server/blob/master/pkg/storage/pod.go
 */
import type { UsageReport } from "../shared/hosts/report.ts";
import { formatTime } from "../shared/k8s/time.ts";
import type { ContainerCounters, UsageSample } from "./runtime/usage.ts";

/** The host's own counters: cumulative busy CPU time and memory in use. */
export interface HostCounters {
  timeMs: number;
  cpuNanoseconds: number;
  memoryBytes: number;
}

/** Where the counters come from. */
export interface UsageSources {
  pods?(): Promise<UsageSample[]>;
  vmis?(): Promise<UsageSample[]>;
  /** The host's own counters; absent: the sum of the workloads plus {@link SIMULATED_BASE}. */
  host?(): Promise<HostCounters | undefined>;
  /** Told when a source fails; the others' samples still go out. */
  onError?(source: "pods" | "vmis" | "host", err: unknown): void;
}

/** What a simulated host's system (kernel, agent) is modelled to use beside its workloads. */
export const SIMULATED_BASE = { cpuNanoCores: 50_000_000, memoryBytes: 256 * 1024 * 1024 };
/** The schema's bounds (shared/hosts/report.ts). */
const MAX_ITEMS = 500;
const MAX_CONTAINERS = 64;
/** Samples closer together than this make no rate (a jittery window). */
const MIN_WINDOW_MS = 500;

interface Previous {
  timeMs: number;
  cpu: Map<string, number>;
}

/** A container's rate: `{name, cpuNanoCores, memoryBytes}`, or undefined without a usable earlier sample. */
function rate(previous: Previous | undefined, timeMs: number, c: ContainerCounters): { name: string; cpuNanoCores: number; memoryBytes: number } | undefined {
  const before = previous?.cpu.get(c.name);
  if (!previous || before === undefined || timeMs - previous.timeMs < MIN_WINDOW_MS || c.cpuNanoseconds < before) return undefined;
  const cpuNanoCores = Math.round(((c.cpuNanoseconds - before) / ((timeMs - previous.timeMs) * 1e6)) * 1e9);
  return { name: c.name.slice(0, 253), cpuNanoCores, memoryBytes: Math.max(0, Math.round(c.memoryBytes)) };
}

/** Keeps the previous sample of every workload and makes each report's usage section. */
export class UsageCollector {
  private pods = new Map<string, Previous>();
  private vmis = new Map<string, Previous>();
  private host: HostCounters | undefined;
  private lastCollectMs: number | undefined;

  constructor(private readonly sources: UsageSources) {}

  /** Reads every source and returns the usage with a rate so far (undefined when nothing has one yet). */
  async collect(): Promise<UsageReport | undefined> {
    const { pods: podSource, vmis: vmiSource, host: hostSource, onError } = this.sources;
    const read = async <T>(source: "pods" | "vmis" | "host", f: (() => Promise<T>) | undefined, none: T): Promise<T> => {
      try {
        return f ? await f() : none;
      } catch (err) {
        onError?.(source, err);
        return none;
      }
    };
    const [pods, vmis, host] = await Promise.all([
      read("pods", podSource, []), read("vmis", vmiSource, []), read("host", hostSource, undefined),
    ]);
    const nowMs = Date.now();
    const report = {
      pods: this.rates(pods, "pods").map(({ sample, window, containers }) => ({
        namespace: sample.namespace, name: sample.name, uid: sample.uid, ...window, containers: containers.slice(0, MAX_CONTAINERS),
      })).slice(0, MAX_ITEMS),
      vmis: this.rates(vmis, "vmis").map(({ sample, window, containers }) => ({
        namespace: sample.namespace, name: sample.name, uid: sample.uid, ...window,
        cpuNanoCores: containers.reduce((sum, c) => sum + c.cpuNanoCores, 0),
        memoryBytes: containers.reduce((sum, c) => sum + c.memoryBytes, 0),
      })).slice(0, MAX_ITEMS),
    };
    const node = host ? this.hostRate(host) : this.simulatedHost(report, nowMs);
    this.lastCollectMs = nowMs;
    if (!node && report.pods.length === 0 && report.vmis.length === 0) return undefined;
    return { ...(node ? { node } : {}), ...report };
  }

  /** Rates of the samples that have an earlier one; remembers all of them for next time. */
  private rates(samples: UsageSample[], which: "pods" | "vmis"): { sample: UsageSample; window: { timestamp: string; windowSeconds: number }; containers: NonNullable<ReturnType<typeof rate>>[] }[] {
    const before = this[which];
    const next = new Map<string, Previous>();
    const out = [];
    for (const sample of samples) {
      const previous = before.get(sample.uid);
      next.set(sample.uid, { timeMs: sample.timeMs, cpu: new Map(sample.containers.map((c) => [c.name, c.cpuNanoseconds])) });
      const containers = sample.containers.map((c) => rate(previous, sample.timeMs, c));
      // As metrics-server: a pod is served only when every container has a rate.
      if (!previous || containers.length === 0 || containers.some((c) => c === undefined)) continue;
      const window = { timestamp: formatTime(sample.timeMs), windowSeconds: (sample.timeMs - previous.timeMs) / 1000 };
      out.push({ sample, window, containers: containers.filter((c) => c !== undefined) });
    }
    this[which] = next;
    return out;
  }

  private hostRate(host: HostCounters): UsageReport["node"] {
    const previous = this.host;
    this.host = host;
    if (!previous || host.timeMs - previous.timeMs < MIN_WINDOW_MS || host.cpuNanoseconds < previous.cpuNanoseconds) return undefined;
    const windowMs = host.timeMs - previous.timeMs;
    return {
      timestamp: formatTime(host.timeMs), windowSeconds: windowMs / 1000,
      cpuNanoCores: Math.round(((host.cpuNanoseconds - previous.cpuNanoseconds) / (windowMs * 1e6)) * 1e9),
      memoryBytes: Math.max(0, Math.round(host.memoryBytes)),
    };
  }

  /** A simulated host uses what its workloads use, plus its own base. */
  private simulatedHost(report: { pods: { containers: { cpuNanoCores: number; memoryBytes: number }[] }[]; vmis: { cpuNanoCores: number; memoryBytes: number }[] }, nowMs: number): UsageReport["node"] {
    const last = this.lastCollectMs;
    if (last === undefined || nowMs - last < MIN_WINDOW_MS) return undefined;
    let cpu = SIMULATED_BASE.cpuNanoCores;
    let memory = SIMULATED_BASE.memoryBytes;
    for (const pod of report.pods) for (const c of pod.containers) [cpu, memory] = [cpu + c.cpuNanoCores, memory + c.memoryBytes];
    for (const vmi of report.vmis) [cpu, memory] = [cpu + vmi.cpuNanoCores, memory + vmi.memoryBytes];
    return { timestamp: formatTime(nowMs), windowSeconds: (nowMs - last) / 1000, cpuNanoCores: cpu, memoryBytes: memory };
  }
}
