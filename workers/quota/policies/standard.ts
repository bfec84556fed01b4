/**
 * @module
 * The `standard` policy: upstream's evaluators. Pods are charged by the pod
 * evaluator (pkg/quota/v1/evaluator/core/pods.go): `count/pods` always,
 * `pods`, `requests.*`/`limits.*` (and bare `cpu`/`memory` as requests)
 * while not terminal; every other kind by its object count. Scoped quotas
 * track pods only. A quota limiting cpu or memory requires each container to
 * state them (the evaluator's Constraints).
 */
import { isTerminal } from "../../objects/terminal";
import { countedResources, countNames } from "../object-count";
import { computeUsage, podContainers, podLimits, podRequests } from "../pod-resources";
import { matchesScopes, podScopeFacts } from "../pod-scopes";
import type { ChargedObject, QuotaDefinition, QuotaPolicy } from "../policy";
import type { Amounts } from "../../../shared/k8s/quota-amount";

/** The registry key of pods. */
export const PODS = "/pods";

/** What the pod evaluator tracks (podResources + count/pods). */
const POD_RESOURCES = new Set([
  "pods", "count/pods", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
  "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
]);

/** The resources that make requests or limits mandatory on each container (the evaluator's validationSet). */
const VALIDATED = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];

/** Whether `hard` names anything the pod evaluator tracks. */
export function limitsPods(quota: QuotaDefinition): boolean {
  return Object.keys(quota.hard).some((r) => POD_RESOURCES.has(r));
}

/** `PodUsageFunc`: count/pods always; compute resources and `pods` while the pod is not terminal. */
export function podUsage(pod: ChargedObject["object"]): Amounts {
  const count = { "count/pods": { milli: 1000, binary: false } };
  if (isTerminal(pod)) return count;
  return { ...computeUsage(podRequests(pod), podLimits(pod)), ...count };
}

/**
 * `podEvaluator.Constraints`: each container (and init container) must
 * state every validated resource the quota limits; upstream's text,
 * resources sorted, container names sorted and comma-joined.
 */
export function podConstraints(quota: QuotaDefinition, pod: ChargedObject["object"]): string | undefined {
  const required = VALIDATED.filter((r) => quota.hard[r] !== undefined);
  if (required.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  const { containers, initContainers } = podContainers(pod);
  for (const c of [...containers, ...initContainers]) {
    const has = computeUsage(c.requests, c.limits);
    for (const r of required) {
      if (has[r] === undefined) missing.set(r, (missing.get(r) ?? new Set()).add(c.name));
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...(missing.get(r) ?? [])].sort().join(",")}`);
  return `must specify ${parts.join("; ")}`;
}

/** The `standard` policy. */
export const standardPolicy: QuotaPolicy = {
  chargedResources(quota) {
    const counted = countedResources(Object.keys(quota.hard));
    return limitsPods(quota) && !counted.includes(PODS) ? [PODS, ...counted] : counted;
  },
  matches(quota, item) {
    if (item.resource === PODS) return limitsPods(quota) && matchesScopes(quota.scopes, podScopeFacts(item.object));
    return quota.scopes.length === 0 && countNames(item.resource).some((n) => quota.hard[n] !== undefined);
  },
  usage(_quota, item) {
    if (item.resource === PODS) return podUsage(item.object);
    return Object.fromEntries(countNames(item.resource).map((n) => [n, { milli: 1000, binary: false }]));
  },
  constraints(quota, item) {
    return item.resource === PODS ? podConstraints(quota, item.object) : undefined;
  },
};
