/**
 * @module
 * A ResourceQuota (or a ClusterResourceQuota's `spec.quota`) read into the
 * engine's {@link QuotaDefinition}, and its policy looked up.
 */
import { isJsonObject, type KubeObject } from "../../shared/k8s/object";
import { amountsOf } from "../../shared/k8s/quota-amount";
import { DEFAULT_POLICY, POLICY_ANNOTATION, type QuotaDefinition, type QuotaPolicy, type ScopeRequirement } from "./policy";
import { POLICIES } from "./policies";

/** The policy a quota's annotations name (default `standard`); undefined for a name no policy has. */
export function policyOf(annotations: Record<string, string> | undefined): QuotaPolicy | undefined {
  const name = annotations?.[POLICY_ANNOTATION] ?? DEFAULT_POLICY;
  return Object.hasOwn(POLICIES, name) ? POLICIES[name] : undefined;
}

/** The names of the registered policies, sorted (for messages). */
export function policyNames(): string[] {
  return Object.keys(POLICIES).sort();
}

/** Scopes become `Exists` requirements, followed by the scopeSelector's (getScopeSelectorsFromQuota). */
function scopesOf(spec: Record<string, unknown>): ScopeRequirement[] {
  const scopes = Array.isArray(spec.scopes) ? spec.scopes.filter((s): s is string => typeof s === "string") : [];
  const out: ScopeRequirement[] = scopes.map((scopeName) => ({ scopeName, operator: "Exists" }));
  const selector = isJsonObject(spec.scopeSelector) ? spec.scopeSelector : {};
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isJsonObject(e) || typeof e.scopeName !== "string" || typeof e.operator !== "string") continue;
    const values = Array.isArray(e.values) ? e.values.filter((v): v is string => typeof v === "string") : undefined;
    out.push({ scopeName: e.scopeName, operator: e.operator, ...(values ? { values } : {}) });
  }
  return out;
}

/** A quota spec (`hard`, `scopes`, `scopeSelector`) with its name and annotations as a definition. */
export function definitionOf(name: string, spec: unknown, annotations: Record<string, string> | undefined): QuotaDefinition {
  const s = isJsonObject(spec) ? spec : {};
  return {
    name,
    hard: amountsOf(isJsonObject(s.hard) ? s.hard : {}),
    scopes: scopesOf(s),
    annotations: { ...(annotations ?? {}) },
  };
}

/** A ResourceQuota's definition. */
export function resourceQuotaDefinition(rq: KubeObject): QuotaDefinition {
  return definitionOf(rq.metadata.name ?? "", rq.spec, rq.metadata.annotations);
}
