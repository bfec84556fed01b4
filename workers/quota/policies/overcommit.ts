/**
 * @module
 * The `overcommit` policy, for burstable fleets: cpu and memory limits of
 * pods and VMIs are charged at request × ratio, the ratio read from the
 * quota's annotation `quota.duraplane.io/overcommit` (default 1), whatever
 * limits the workload declares. Requests are charged as by `standard`; a VMI
 * is charged for `domain.resources` requests (memory falling back to the
 * guest's) until it is final. Since limits derive from requests, a quota on
 * cpu or memory makes requests (not limits) mandatory on each container.
 */
import { isJsonObject, type KubeObject } from "../../../shared/k8s/object";
import type { Amounts } from "../../../shared/k8s/quota-amount";
import { isTerminal } from "../../objects/terminal";
import { countNames } from "../object-count";
import { computeUsage, podRequests } from "../pod-resources";
import { matchesScopes } from "../pod-scopes";
import type { QuotaDefinition, QuotaPolicy } from "../policy";
import { domainResources, vmiScopeFacts } from "../vmi-resources";
import { limitsPods, podConstraints, PODS, standardPolicy } from "./standard";
import { VMIS } from "./vm-guest";

/** The annotation carrying the ratio. */
export const OVERCOMMIT_ANNOTATION = "quota.duraplane.io/overcommit";

/** The quota's ratio: a positive number, else 1. */
export function overcommitRatio(quota: QuotaDefinition): number {
  const ratio = Number(quota.annotations[OVERCOMMIT_ANNOTATION]);
  return Number.isFinite(ratio) && ratio > 0 ? ratio : 1;
}

/** Requests as requests, limits as requests × ratio. */
function overcommitted(requests: Amounts, ratio: number): Amounts {
  const limits: Amounts = {};
  for (const r of ["cpu", "memory"]) {
    const req = requests[r];
    if (req) limits[r] = { milli: Math.ceil(req.milli * ratio), binary: req.binary };
  }
  return computeUsage(requests, limits);
}

function vmiSpec(vmi: KubeObject) {
  return isJsonObject(vmi.spec) ? vmi.spec : {};
}

/** The `overcommit` policy. */
export const overcommitPolicy: QuotaPolicy = {
  chargedResources(quota) {
    const standard = standardPolicy.chargedResources(quota);
    return limitsPods(quota) ? [...new Set([...standard, VMIS])] : standard;
  },
  matches(quota, item) {
    if (item.resource !== VMIS) return standardPolicy.matches(quota, item);
    const counted = quota.scopes.length === 0 && countNames(item.resource).some((n) => quota.hard[n] !== undefined);
    return counted || (limitsPods(quota) && matchesScopes(quota.scopes, vmiScopeFacts(vmiSpec(item.object))));
  },
  usage(quota, item) {
    const ratio = overcommitRatio(quota);
    if (item.resource === PODS) {
      const count: Amounts = { "count/pods": { milli: 1000, binary: false } };
      return isTerminal(item.object) ? count : { ...overcommitted(podRequests(item.object), ratio), ...count };
    }
    if (item.resource !== VMIS) return standardPolicy.usage(quota, item);
    const count: Amounts = Object.fromEntries(countNames(item.resource).map((n) => [n, { milli: 1000, binary: false }]));
    if (isTerminal(item.object)) return count;
    const { pods: _pods, ...compute } = overcommitted(domainResources(vmiSpec(item.object)).requests, ratio);
    return { ...compute, ...count };
  },
  constraints(quota, item) {
    if (item.resource !== PODS) return undefined;
    // Limits are derived here: a quota on limits.X asks for requests.X.
    const hard: Amounts = {};
    for (const [r, v] of Object.entries(quota.hard)) hard[r.startsWith("limits.") ? `requests.${r.slice(7)}` : r] = v;
    return podConstraints({ ...quota, hard }, item.object);
  },
};
