/**
 * @module
 * `v1` ResourceQuota: schema, strategy (status reset on create, as
 * upstream's PrepareForCreate) and `ValidateResourceQuota`
 * (pkg/apis/core/validation/validation.go).
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import type { KubeObject } from "../../k8s/object";
import { parseQuantity } from "../../k8s/quantity";
import { invalidValue, isQualifiedName, notSupported, required, validateObjectMeta } from "../../k8s/validation";
import { asKind, ResourceListSchema, typeAndObjectMeta, type KindStrategy } from "../meta";
import { CORE_V1 } from "./container";
import { INTEGER_QUOTA_RESOURCES, isScopeValidForResource, isStandardQuotaResourceName, QUOTA_SCOPES } from "./resourcequota-names";

/** `v1.ScopedResourceSelectorRequirement`. */
export const ScopedResourceSelectorRequirementSchema = z
  .object({
    scopeName: z.string().describe("The name of the scope that the selector applies to."),
    operator: z.string().describe("One of In, NotIn, Exists, DoesNotExist."),
    values: z.array(z.string()).optional().describe("Values for In and NotIn; empty for Exists and DoesNotExist."),
  })
  .meta({ id: `${CORE_V1}.ScopedResourceSelectorRequirement`, description: "A selector on a quota scope." });

/** `v1.ResourceQuotaSpec` (also the `quota` of a ClusterResourceQuota). */
export const ResourceQuotaSpecSchema = z
  .object({
    hard: ResourceListSchema.optional().describe("The desired hard limit for each named resource."),
    scopes: z.array(z.string()).optional().describe("Filters that must match each object tracked by a quota."),
    scopeSelector: z
      .object({ matchExpressions: z.array(ScopedResourceSelectorRequirementSchema).optional() })
      .optional()
      .describe("Filters by scope; an object is tracked only if it matches the intersection of scopes and scopeSelector."),
  })
  .meta({ id: `${CORE_V1}.ResourceQuotaSpec`, description: "The desired hard limits to enforce for Quota." });

/** `v1.ResourceQuotaStatus`. */
export const ResourceQuotaStatusSchema = z
  .object({
    hard: ResourceListSchema.optional().describe("The set of enforced hard limits for each named resource."),
    used: ResourceListSchema.optional().describe("The current observed total usage of the resource in the namespace."),
  })
  .meta({ id: `${CORE_V1}.ResourceQuotaStatus`, description: "The enforced hard limits and current usage." });

/** `v1` ResourceQuota. */
export const ResourceQuotaSchema = z
  .object({
    ...typeAndObjectMeta("ResourceQuota"),
    spec: ResourceQuotaSpecSchema.optional().describe("The desired quota."),
    status: ResourceQuotaStatusSchema.optional().describe("The actual enforced quota and its current usage."),
  })
  .meta({
    id: `${CORE_V1}.ResourceQuota`,
    description: "ResourceQuota sets aggregate quota restrictions enforced per namespace.",
    "x-kubernetes-group-version-kind": [{ group: "", version: "v1", kind: "ResourceQuota" }],
  });

/** A v1 ResourceQuota. */
export type ResourceQuota = z.infer<typeof ResourceQuotaSchema>;
/** Its spec. */
export type ResourceQuotaSpec = z.infer<typeof ResourceQuotaSpecSchema>;

function validateResourceList(list: Record<string, string | number> | undefined, path: string, standardOnly: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [name, value] of Object.entries(list ?? {})) {
    const field = `${path}[${name}]`;
    for (const msg of isQualifiedName(name)) causes.push(invalidValue(field, name, msg));
    if (standardOnly && !name.includes("/") && !isStandardQuotaResourceName(name)) {
      causes.push(invalidValue(field, name, "must be a standard resource for quota"));
    }
    const q = parseQuantity(value);
    if (q < 0) causes.push(invalidValue(field, String(value), "must be greater than or equal to 0"));
    if (INTEGER_QUOTA_RESOURCES.has(name) && !Number.isInteger(q)) causes.push(invalidValue(field, String(value), "must be an integer"));
  }
  return causes;
}

const EXISTS_ONLY_SCOPES = new Set(["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "CrossNamespacePodAffinity"]);

function validateScopes(spec: ResourceQuotaSpec, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const scopes = spec.scopes ?? [];
  const hard = Object.keys(spec.hard ?? {}).sort();
  for (const scope of scopes) {
    if (!(QUOTA_SCOPES as readonly string[]).includes(scope)) causes.push(invalidValue(`${path}.scopes`, scopes, "unsupported scope"));
    for (const r of hard) {
      if (isStandardQuotaResourceName(r) && !isScopeValidForResource(scope, r)) {
        causes.push(invalidValue(`${path}.scopes`, scopes, "unsupported scope applied to resource"));
      }
    }
  }
  const has = (s: string): boolean => scopes.includes(s);
  if ((has("BestEffort") && has("NotBestEffort")) || (has("Terminating") && has("NotTerminating"))) {
    causes.push(invalidValue(`${path}.scopes`, scopes, "conflicting scopes"));
  }
  const exprs = spec.scopeSelector?.matchExpressions ?? [];
  exprs.forEach((req, i) => {
    const field = `${path}.scopeSelector.matchExpressions[${i}]`;
    if (!(QUOTA_SCOPES as readonly string[]).includes(req.scopeName)) {
      causes.push(invalidValue(`${field}.scopeName`, req.scopeName, "unsupported scope"));
    }
    const values = req.values ?? [];
    switch (req.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) {
          causes.push(invalidValue(`${field}.values`, values, "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
        }
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) {
          causes.push(invalidValue(`${field}.values`, values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
        }
        break;
      default:
        causes.push(notSupported(`${field}.operator`, req.operator, ["DoesNotExist", "Exists", "In", "NotIn"]));
    }
    if (EXISTS_ONLY_SCOPES.has(req.scopeName) && req.operator !== "Exists") {
      causes.push(invalidValue(`${field}.operator`, req.operator,
        "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"));
    }
    if (req.scopeName === "") causes.push(required(`${field}.scopeName`));
  });
  return causes;
}

/** `ValidateResourceQuotaSpec` at `path` (reused by ClusterResourceQuota's `spec.quota`). */
export function validateResourceQuotaSpec(spec: ResourceQuotaSpec | undefined, path: string): StatusCause[] {
  if (!spec) return [];
  return [...validateResourceList(spec.hard, `${path}.hard`, true), ...validateScopes(spec, path)];
}

/** `ValidateResourceQuota`: metadata, spec and the status lists. */
export function validateResourceQuota(rq: ResourceQuota): StatusCause[] {
  return [
    ...validateObjectMeta(rq.metadata as KubeObject["metadata"], { namespaced: true }),
    ...validateResourceQuotaSpec(rq.spec, "spec"),
    ...validateResourceList(rq.status?.hard, "status.hard", true),
    ...validateResourceList(rq.status?.used, "status.used", true),
  ];
}

/** The ResourceQuota strategy: no defaults; validation as upstream. */
export const resourceQuotaStrategy: KindStrategy<typeof ResourceQuotaSchema> = {
  schema: ResourceQuotaSchema,
  applyDefaults(): void {},
  validate(obj: KubeObject): StatusCause[] {
    return validateResourceQuota(asKind<ResourceQuota>(obj));
  },
};
