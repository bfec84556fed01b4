/**
 * @module
 * Pod QoS class as `pkg/apis/core/helper/qos` computes it: Guaranteed when
 * every container limits cpu and memory with requests equal to limits,
 * BestEffort when none requests or limits anything, Burstable otherwise.
 */
import type { KubeObject } from "../../shared/k8s/object";
import { parseQuantity } from "../../shared/k8s/quantity";

type Resources = { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
type Container = { resources?: Resources };

function same(a: string | number | undefined, b: string | number | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  try {
    return parseQuantity(a) === parseQuantity(b);
  } catch {
    return false;
  }
}

/** The pod's status.qosClass. */
export function podQOSClass(pod: KubeObject): "Guaranteed" | "Burstable" | "BestEffort" {
  const spec = pod.spec as { containers?: Container[]; initContainers?: Container[] } | undefined;
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length > 0 || Object.keys(lim).length > 0) any = true;
    for (const r of ["cpu", "memory"]) {
      const limit = lim[r];
      const request = req[r] ?? limit; // requests default to limits
      if (limit === undefined || !same(request, limit)) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}
