/**
 * @module
 * What a pod asks for and is limited to, as quota counts it
 * (k8s.io/component-helpers resource.PodRequests / PodLimits): containers and
 * sidecars summed, at least the largest ordinary init container plus the
 * sidecars started before it, plus `spec.overhead`. A container's requests
 * default to its limits, as upstream's defaulter sets them.
 */
import { isJsonObject, type Json, type JsonObject, type KubeObject } from "../../shared/k8s/object";
import { addAmount, amountsOf, type Amount, type Amounts } from "../../shared/k8s/quota-amount";

function objectAt(obj: JsonObject, key: string): JsonObject {
  const v = obj[key];
  return isJsonObject(v) ? v : {};
}

/** A container's name and resources. */
export interface ContainerResources {
  name: string;
  requests: Amounts;
  limits: Amounts;
  sidecar: boolean;
}

function containerResources(c: Json): ContainerResources | undefined {
  if (!isJsonObject(c)) return undefined;
  const resources = objectAt(c, "resources");
  const limits = amountsOf(objectAt(resources, "limits"));
  const requests = { ...limits, ...amountsOf(objectAt(resources, "requests")) };
  return { name: typeof c.name === "string" ? c.name : "", requests, limits, sidecar: c.restartPolicy === "Always" };
}

/** The pod's containers then its init containers, with their resources. */
export function podContainers(pod: KubeObject): { containers: ContainerResources[]; initContainers: ContainerResources[] } {
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  const read = (key: string): ContainerResources[] => {
    const list = spec[key];
    return Array.isArray(list) ? list.map(containerResources).filter((c): c is ContainerResources => c !== undefined) : [];
  };
  return { containers: read("containers"), initContainers: read("initContainers") };
}

function add(a: Amounts, b: Amounts): Amounts {
  const out: Amounts = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = addAmount(out[k], v);
  return out;
}

function max(a: Amounts, b: Amounts): Amounts {
  const out: Amounts = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur: Amount | undefined = out[k];
    if (!cur || v.milli > cur.milli) out[k] = v;
  }
  return out;
}

function podTotal(pod: KubeObject, pick: (c: ContainerResources) => Amounts): Amounts {
  const { containers, initContainers } = podContainers(pod);
  let total: Amounts = {};
  for (const c of containers) total = add(total, pick(c));
  let sidecars: Amounts = {};
  let initPeak: Amounts = {};
  for (const c of initContainers) {
    if (c.sidecar) {
      sidecars = add(sidecars, pick(c));
      total = add(total, pick(c));
    } else {
      initPeak = max(initPeak, add(pick(c), sidecars));
    }
  }
  total = max(total, initPeak);
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  return add(total, amountsOf(objectAt(spec, "overhead")));
}

/** `resource.PodRequests`. */
export function podRequests(pod: KubeObject): Amounts {
  return podTotal(pod, (c) => c.requests);
}

/** `resource.PodLimits` (a resource some container leaves unlimited is still summed over those that limit it). */
export function podLimits(pod: KubeObject): Amounts {
  return podTotal(pod, (c) => c.limits);
}

/**
 * `podComputeUsageHelper`: `requests.X` (and the bare `X`) from requests,
 * `limits.X` from limits, for cpu, memory and ephemeral-storage; `pods` = 1.
 */
export function computeUsage(requests: Amounts, limits: Amounts): Amounts {
  const out: Amounts = { pods: { milli: 1000, binary: false } };
  for (const r of ["cpu", "memory", "ephemeral-storage"]) {
    const req = requests[r];
    const lim = limits[r];
    if (req) {
      out[r] = req;
      out[`requests.${r}`] = req;
    }
    if (lim) out[`limits.${r}`] = lim;
  }
  return out;
}
