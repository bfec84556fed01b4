/**
 * @module
 * Quota scopes for workloads (pkg/quota/v1/evaluator/core/pods.go
 * podMatchesScopeFunc): Terminating (activeDeadlineSeconds ≥ 0),
 * NotTerminating, BestEffort (QoS BestEffort), NotBestEffort, and
 * PriorityClass with In / NotIn / Exists / DoesNotExist. A quota's scopes all
 * have to match; a scope nothing here knows (CrossNamespacePodAffinity) never
 * matches. Kinds without scopes (object counts) match no scoped quota.
 */
import { isJsonObject, type KubeObject } from "../../shared/k8s/object";
import type { ScopeRequirement } from "./policy";

/** The facts a scope is decided on, read from a pod (or any workload a policy maps to them). */
export interface ScopeFacts {
  /** `spec.activeDeadlineSeconds` ≥ 0. */
  terminating: boolean;
  /** No container requests or limits anything. */
  bestEffort: boolean;
  /** `spec.priorityClassName`, "" when unset. */
  priorityClassName: string;
}

/** The scope facts of a pod. */
export function podScopeFacts(pod: KubeObject): ScopeFacts {
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  const deadline = spec.activeDeadlineSeconds;
  let bestEffort = true;
  for (const key of ["containers", "initContainers"]) {
    const list = spec[key];
    for (const c of Array.isArray(list) ? list : []) {
      const res = isJsonObject(c) && isJsonObject(c.resources) ? c.resources : {};
      for (const part of ["requests", "limits"]) {
        const v = res[part];
        if (isJsonObject(v) && Object.keys(v).length > 0) bestEffort = false;
      }
    }
  }
  return {
    terminating: typeof deadline === "number" && deadline >= 0,
    bestEffort,
    priorityClassName: typeof spec.priorityClassName === "string" ? spec.priorityClassName : "",
  };
}

function matchesOne(req: ScopeRequirement, facts: ScopeFacts): boolean {
  switch (req.scopeName) {
    case "Terminating":
      return facts.terminating;
    case "NotTerminating":
      return !facts.terminating;
    case "BestEffort":
      return facts.bestEffort;
    case "NotBestEffort":
      return !facts.bestEffort;
    case "PriorityClass": {
      const values = req.values ?? [];
      switch (req.operator) {
        case "In":
          return values.includes(facts.priorityClassName);
        case "NotIn":
          return !values.includes(facts.priorityClassName);
        case "Exists":
          return facts.priorityClassName !== "";
        case "DoesNotExist":
          return facts.priorityClassName === "";
        default:
          return false;
      }
    }
    default:
      return false;
  }
}

/** Whether every scope requirement matches (no scopes: always). */
export function matchesScopes(scopes: readonly ScopeRequirement[], facts: ScopeFacts): boolean {
  return scopes.every((s) => matchesOne(s, facts));
}
