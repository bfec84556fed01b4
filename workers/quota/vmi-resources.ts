/**
 * @module
 * What a VMI's guest declares (the VMI spec, or a VM's template spec):
 * vCPUs = sockets × cores × threads (each defaulting to 1), memory =
 * `domain.memory.guest`, else `resources.requests.memory` — KubeVirt's
 * application-aware quota charges these instead of the launcher pod. Also
 * the plain requests and limits of `domain.resources`, and the scope facts
 * of a VMI (its priorityClassName; never terminating, never best effort).
 */
import { isJsonObject, type JsonObject } from "../../shared/k8s/object";
import { amountsOf, units, type Amounts } from "../../shared/k8s/quota-amount";
import type { ScopeFacts } from "./pod-scopes";

function objectAt(obj: JsonObject, ...path: string[]): JsonObject {
  let cur: JsonObject = obj;
  for (const p of path) {
    const v = cur[p];
    cur = isJsonObject(v) ? v : {};
  }
  return cur;
}

function count(v: unknown): number {
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : 1;
}

/** The guest's vCPUs and memory; memory is absent when the spec declares none. */
export function guestResources(vmiSpec: JsonObject): Amounts {
  const cpu = objectAt(vmiSpec, "domain", "cpu");
  const out: Amounts = { cpu: units(count(cpu.sockets) * count(cpu.cores) * count(cpu.threads)) };
  const guest = amountsOf({ memory: objectAt(vmiSpec, "domain", "memory").guest });
  const requested = amountsOf(objectAt(vmiSpec, "domain", "resources", "requests"));
  const memory = guest.memory ?? requested.memory;
  if (memory) out.memory = memory;
  return out;
}

/** `domain.resources` requests (defaulting to limits, as for containers) and limits. */
export function domainResources(vmiSpec: JsonObject): { requests: Amounts; limits: Amounts } {
  const resources = objectAt(vmiSpec, "domain", "resources");
  const limits = amountsOf(objectAt(resources, "limits"));
  const requests = { ...limits, ...amountsOf(objectAt(resources, "requests")) };
  // The guest's memory is what KubeVirt requests when resources name none.
  if (!requests.memory) {
    const guest = amountsOf({ memory: objectAt(vmiSpec, "domain", "memory").guest });
    if (guest.memory) requests.memory = guest.memory;
  }
  return { requests, limits };
}

/** Scope facts of a VMI spec. */
export function vmiScopeFacts(vmiSpec: JsonObject): ScopeFacts {
  return {
    terminating: false,
    bestEffort: false,
    priorityClassName: typeof vmiSpec.priorityClassName === "string" ? vmiSpec.priorityClassName : "",
  };
}
