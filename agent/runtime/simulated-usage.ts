/**
 * @module
 * Resource use as the simulated runtimes model it: each container uses a
 * fraction of what it requested (a default when it requested nothing), that
 * fraction fixed per container by a hash of its identity and swinging
 * smoothly around it over a minute — deterministic, never negative, and
 * with cumulative CPU time that only grows, so rates made from two samples
 * behave as a real cgroup's would.
 */
import { createHash } from "node:crypto";
import { parseQuantity } from "../../shared/k8s/quantity.ts";
import { isRecord, str } from "../objects.ts";
import type { ContainerCounters } from "./usage.ts";

/** What a container would use at most: its requests, or defaults. */
export interface Demand {
  name: string;
  cpuCores: number;
  memoryBytes: number;
}

/** What a container that requested nothing is modelled to ask for. */
const DEFAULT_CPU_CORES = 0.1;
const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024;
/** One swing of the modelled load, and how far it swings around its mean (fraction of the mean). */
const PERIOD_MS = 60_000;
const CPU_SWING = 0.3;
const MEMORY_SWING = 0.05;

/** A number in [0, 1) fixed by the parts. */
function unitHash(...parts: string[]): number {
  return createHash("sha256").update(parts.join("\0")).digest().readUInt32BE(0) / 2 ** 32;
}

function quantity(value: unknown): number | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  try {
    const n = parseQuantity(value);
    return n > 0 && Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

function resourceOf(resources: unknown, name: "cpu" | "memory"): number | undefined {
  if (!isRecord(resources)) return undefined;
  const requests = isRecord(resources.requests) ? resources.requests : {};
  const limits = isRecord(resources.limits) ? resources.limits : {};
  return quantity(requests[name]) ?? quantity(limits[name]);
}

/** A pod's containers' demand, from their requests (then limits) in the pod spec. */
export function podDemand(rawSpec: Readonly<Record<string, unknown>>, names: readonly string[]): Demand[] {
  const containers = Array.isArray(rawSpec.containers) ? rawSpec.containers.filter(isRecord) : [];
  return names.map((name) => {
    const resources = containers.find((c) => str(c.name) === name)?.resources;
    return { name, cpuCores: resourceOf(resources, "cpu") ?? DEFAULT_CPU_CORES, memoryBytes: resourceOf(resources, "memory") ?? DEFAULT_MEMORY_BYTES };
  });
}

/** A VM's demand: its CPU request (else its cores) and its guest memory (else its memory request). */
export function vmDemand(rawSpec: Readonly<Record<string, unknown>>, cpuCores: number, guestMemory: string | undefined): Demand {
  const domain = isRecord(rawSpec.domain) ? rawSpec.domain : {};
  return {
    name: "compute",
    cpuCores: resourceOf(domain.resources, "cpu") ?? Math.max(1, cpuCores),
    memoryBytes: quantity(guestMemory) ?? resourceOf(domain.resources, "memory") ?? 128 * 1024 * 1024,
  };
}

/**
 * The counters of a container of workload `uid` that has run since
 * `startedMs`, at `nowMs`. Its CPU rate is `mean·(1 + swing·sin(ωt + φ))`,
 * whose integral gives the cumulative time; memory swings likewise around its mean.
 */
export function simulatedCounters(uid: string, demand: Demand, startedMs: number, nowMs: number): ContainerCounters {
  const t = Math.max(0, nowMs - startedMs);
  const phase = 2 * Math.PI * unitHash(uid, demand.name, "phase");
  const omega = (2 * Math.PI) / PERIOD_MS;
  // 15–45 % of the CPU asked for, 30–60 % of the memory.
  const meanCores = demand.cpuCores * (0.15 + 0.3 * unitHash(uid, demand.name, "cpu"));
  const meanBytes = demand.memoryBytes * (0.3 + 0.3 * unitHash(uid, demand.name, "memory"));
  const coreMs = meanCores * (t + (CPU_SWING * (Math.cos(phase) - Math.cos(omega * t + phase))) / omega);
  return {
    name: demand.name,
    cpuNanoseconds: Math.round(coreMs * 1e6),
    memoryBytes: Math.round(meanBytes * (1 + MEMORY_SWING * Math.sin(omega * t / 2 + phase))),
  };
}
