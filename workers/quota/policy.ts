/**
 * @module
 * The quota strategy: how a workload is matched, charged and constrained
 * under one quota. Every ResourceQuota (and ClusterResourceQuota) names its
 * policy by the annotation `quota.duraplane.io/policy` (default `standard`);
 * the quota engine (quota-check.ts) does the arithmetic, the limits and the
 * messages, and asks the policy only these three questions. Adding a policy
 * is one module implementing {@link QuotaPolicy} plus one line in
 * policies/index.ts (docs/quotas.md).
 */
import type { KubeObject } from "../../shared/k8s/object";
import type { Amounts } from "../../shared/k8s/quota-amount";

/** The annotation that chooses a quota's policy. */
export const POLICY_ANNOTATION = "quota.duraplane.io/policy";

/** The policy of a quota that names none. */
export const DEFAULT_POLICY = "standard";

/** `v1.ScopedResourceSelectorRequirement`. */
export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

/** What a policy sees of one quota. */
export interface QuotaDefinition {
  /** The quota's name (ResourceQuota: its name in the namespace; ClusterResourceQuota: its cluster name). */
  name: string;
  /** `spec.hard`, parsed. */
  hard: Amounts;
  /** `spec.scopes` and `spec.scopeSelector.matchExpressions`, as one list (scopes become `Exists`). */
  scopes: ScopeRequirement[];
  /** The quota's annotations (policy parameters, e.g. `quota.duraplane.io/overcommit`). */
  annotations: Record<string, string>;
}

/** An object as the quota engine shows it to a policy. */
export interface ChargedObject {
  /** Its registry key: "group/plural" ("/pods", "kubevirt.io/virtualmachineinstances"). */
  resource: string;
  object: KubeObject;
}

/** One quota policy (a strategy). Pure: no I/O, no clock. */
export interface QuotaPolicy {
  /** The registry keys of the kinds this quota charges (the engine lists these to recompute usage). */
  chargedResources(quota: QuotaDefinition): string[];
  /** Whether the quota tracks the object (its kind and the quota's scopes). */
  matches(quota: QuotaDefinition, item: ChargedObject): boolean;
  /** What the object costs under this quota; the engine keeps only the names the quota limits. */
  usage(quota: QuotaDefinition, item: ChargedObject): Amounts;
  /**
   * Why a new object may not be admitted under this quota whatever the usage
   * (upstream's evaluator Constraints, e.g. "must specify limits.cpu for: web"), or undefined.
   */
  constraints(quota: QuotaDefinition, item: ChargedObject): string | undefined;
}
