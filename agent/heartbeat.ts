/**
 * @module
 * The heartbeat: every interval the agent sends the Node's status as the
 * host sees it — Ready=True (KubeletReady), capacity and allocatable,
 * addresses and nodeInfo — the kubelet's node status update and Lease
 * renewal in one. The server's node lifecycle controller notices when it stops.
 */
import { existsSync, readFileSync } from "node:fs";
import { arch, cpus, platform, release, totalmem } from "node:os";
import type { NodeReport } from "../shared/hosts/report.ts";
import { KUBELET_VERSION } from "./version.ts";

/** What a heartbeat says about the host. */
export interface NodeFacts {
  nodeName: string;
  hostIP: string;
  capacity: Record<string, string>;
  containerRuntimeVersion: string;
}

/** MemTotal from /proc/meminfo in KiB (what cAdvisor gives the kubelet), else Node's figure. */
export function memTotalKi(meminfo = "/proc/meminfo"): number {
  try {
    const kb = /^MemTotal:\s+(\d+)\s*kB/m.exec(readFileSync(meminfo, "utf8"))?.[1];
    if (kb) return Number(kb);
  } catch {
    // not Linux: fall through
  }
  return Math.floor(totalmem() / 1024);
}

/** The host's own resources (the real runtimes advertise these, as the kubelet does): cpus, MemTotal, 110 pods. */
export function hostCapacity(): Record<string, string> {
  return { cpu: String(cpus().length), memory: `${memTotalKi()}Ki`, pods: "110" };
}

function firstLine(file: string): string | undefined {
  try {
    return existsSync(file) ? readFileSync(file, "utf8").split("\n")[0]?.trim() || undefined : undefined;
  } catch {
    return undefined;
  }
}

function osImage(): string {
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? "Linux";
  } catch {
    return platform();
  }
}

/** Go's GOARCH names, which is what nodeInfo.architecture carries. */
const GOARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x" };

/** The heartbeat body. */
export function nodeReport(facts: NodeFacts): NodeReport {
  const machineID = firstLine("/etc/machine-id");
  const bootID = firstLine("/proc/sys/kernel/random/boot_id");
  return {
    conditions: [
      { type: "Ready", status: "True", reason: "KubeletReady", message: "duraplane-agent is posting ready status" },
      { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "duraplane-agent has sufficient memory available" },
      { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", message: "duraplane-agent has no disk pressure" },
      { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", message: "duraplane-agent has sufficient PID available" },
    ],
    capacity: { ...facts.capacity },
    allocatable: { ...facts.capacity },
    addresses: [
      { type: "InternalIP", address: facts.hostIP },
      { type: "Hostname", address: facts.nodeName },
    ],
    nodeInfo: {
      kubeletVersion: KUBELET_VERSION,
      containerRuntimeVersion: facts.containerRuntimeVersion,
      operatingSystem: platform(),
      architecture: GOARCH[arch()] ?? arch(),
      kernelVersion: release(),
      osImage: osImage(),
      ...(machineID ? { machineID } : {}),
      ...(bootID ? { bootID } : {}),
    },
  };
}

/** Calls `beat` at once and then every `intervalMs` until stopped. */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly beat: () => void, private readonly intervalMs: number) {}

  start(): void {
    if (this.timer) return;
    this.beat();
    this.timer = setInterval(this.beat, this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
