/**
 * @module
 * What a pod or VMI asks of a node and what a node offers, in the units the
 * scheduler's NodeResourcesFit plugin counts: millicores, bytes and pods
 * (pkg/scheduler/framework/types.go Resource, computePodResourceRequest).
 */
import { isJsonObject, type Json, type JsonObject, type KubeObject } from "../../../shared/k8s/object";
import { parseQuantity, QuantityError } from "../../../shared/k8s/quantity";
import { specOf, statusOf } from "../shared/object-fields";

/** Requested or allocatable resources. */
export interface Resources {
  milliCPU: number;
  memory: number;
  pods: number;
}

/** cpu and memory as scoring counts them, with upstream's defaults for a container that requests none. */
export interface NonZero {
  milliCPU: number;
  memory: number;
}

/** `schedutil.DefaultMilliCPURequest`: 0.1 core for scoring a container without a cpu request. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** `schedutil.DefaultMemoryRequest`: 200 MiB for scoring a container without a memory request. */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

function quantity(value: Json | undefined): number | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  try {
    return parseQuantity(value);
  } catch (err) {
    // Stored objects passed validation; a quantity that still does not parse counts as absent.
    if (err instanceof QuantityError) return undefined;
    throw err;
  }
}

/** `Quantity.MilliValue`: rounded up to the next millicore (the epsilon absorbs float noise of e.g. "0.7"). */
function milli(value: Json | undefined): number | undefined {
  const q = quantity(value);
  return q === undefined ? undefined : Math.ceil(q * 1000 - 1e-6);
}

function bytes(value: Json | undefined): number | undefined {
  const q = quantity(value);
  return q === undefined ? undefined : Math.ceil(q);
}

function list(obj: JsonObject, key: string): JsonObject {
  const v = obj[key];
  return isJsonObject(v) ? v : {};
}

interface ContainerRequest {
  resources: Resources;
  nonZero: NonZero;
}

function containerRequest(container: Json): ContainerRequest {
  const requests = isJsonObject(container) ? list(list(container, "resources"), "requests") : {};
  const cpu = milli(requests.cpu);
  const memory = bytes(requests.memory);
  return {
    resources: { milliCPU: cpu ?? 0, memory: memory ?? 0, pods: 0 },
    nonZero: { milliCPU: cpu ?? DEFAULT_MILLI_CPU_REQUEST, memory: memory ?? DEFAULT_MEMORY_REQUEST },
  };
}

function add<T extends NonZero>(a: T, b: NonZero): T {
  return { ...a, milliCPU: a.milliCPU + b.milliCPU, memory: a.memory + b.memory };
}

function max<T extends NonZero>(a: T, b: NonZero): T {
  return { ...a, milliCPU: Math.max(a.milliCPU, b.milliCPU), memory: Math.max(a.memory, b.memory) };
}

function containers(spec: JsonObject, key: string): Json[] {
  const v = spec[key];
  return Array.isArray(v) ? v : [];
}

/**
 * A pod's request (computePodResourceRequest): the sum of its containers and
 * sidecars (init containers with restartPolicy Always), at least the largest
 * ordinary init container plus the sidecars started before it, plus
 * `spec.overhead`; one pod.
 */
export function podRequests(pod: KubeObject): { requests: Resources; nonZero: NonZero } {
  const spec = specOf(pod);
  let requests: Resources = { milliCPU: 0, memory: 0, pods: 1 };
  let nonZero: NonZero = { milliCPU: 0, memory: 0 };
  for (const c of containers(spec, "containers")) {
    const r = containerRequest(c);
    requests = add(requests, r.resources);
    nonZero = add(nonZero, r.nonZero);
  }
  let sidecars: NonZero = { milliCPU: 0, memory: 0 };
  let initPeak: NonZero = { milliCPU: 0, memory: 0 };
  for (const c of containers(spec, "initContainers")) {
    const r = containerRequest(c);
    if (isJsonObject(c) && c.restartPolicy === "Always") {
      sidecars = add(sidecars, r.resources);
      requests = add(requests, r.resources);
      nonZero = add(nonZero, r.nonZero);
    } else {
      initPeak = max(initPeak, add(r.resources, sidecars));
    }
  }
  requests = max(requests, initPeak);
  nonZero = max(nonZero, initPeak);
  const overhead = list(spec, "overhead");
  const extra = { milliCPU: milli(overhead.cpu) ?? 0, memory: bytes(overhead.memory) ?? 0 };
  return { requests: add(requests, extra), nonZero: add(nonZero, extra) };
}

/**
 * A VMI's request: `spec.domain.resources.requests` cpu and memory, memory
 * falling back to `spec.domain.memory.guest` (what KubeVirt defaults the
 * request from). Its launcher pod counts as one pod. KubeVirt's launcher
 * overhead (virt-launcher, QEMU) is not added.
 */
export function vmiRequests(vmi: KubeObject): { requests: Resources; nonZero: NonZero } {
  const domain = list(specOf(vmi), "domain");
  const requests = list(list(domain, "resources"), "requests");
  const cpu = milli(requests.cpu);
  const memory = bytes(requests.memory) ?? bytes(list(domain, "memory").guest);
  return {
    requests: { milliCPU: cpu ?? 0, memory: memory ?? 0, pods: 1 },
    nonZero: { milliCPU: cpu ?? DEFAULT_MILLI_CPU_REQUEST, memory: memory ?? DEFAULT_MEMORY_REQUEST },
  };
}

/** A node's `status.allocatable`, each resource falling back to `status.capacity`; absent means none. */
export function nodeAllocatable(node: KubeObject): Resources {
  const status = statusOf(node);
  const allocatable = list(status, "allocatable");
  const capacity = list(status, "capacity");
  const pick = (key: string): Json | undefined => allocatable[key] ?? capacity[key];
  return {
    milliCPU: milli(pick("cpu")) ?? 0,
    memory: bytes(pick("memory")) ?? 0,
    pods: Math.floor(quantity(pick("pods")) ?? 0),
  };
}
