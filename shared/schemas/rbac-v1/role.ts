/**
 * @module
 * `rbac.authorization.k8s.io/v1` Role (namespaced) and ClusterRole
 * (cluster-scoped): schemas and upstream's `ValidateRole` /
 * `ValidateClusterRole`. Names are path segments (`system:basic-user`),
 * not DNS subdomains, as upstream's `ValidateRBACName`.
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import type { KubeObject } from "../../k8s/object";
import { nameIsPathSegment, validateObjectMeta } from "../../k8s/validation";
import { asKind, typeAndObjectMeta, type KindStrategy } from "../meta";
import { AggregationRuleSchema, PolicyRuleSchema, RBAC_GROUP, RBAC_V1 } from "./rbac-types";
import { validateAggregationRule, validatePolicyRules } from "./rbac-validation";

const RULES = z.array(PolicyRuleSchema).optional();

/** `rbac/v1` Role. */
export const RoleSchema = z
  .object({
    ...typeAndObjectMeta("Role"),
    rules: RULES.describe("The PolicyRules of this Role."),
  })
  .meta({
    id: `${RBAC_V1}.Role`,
    description: "A namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.",
    "x-kubernetes-group-version-kind": [{ group: RBAC_GROUP, version: "v1", kind: "Role" }],
  });

/** A v1 Role. */
export type Role = z.infer<typeof RoleSchema>;

/** `rbac/v1` ClusterRole. */
export const ClusterRoleSchema = z
  .object({
    ...typeAndObjectMeta("ClusterRole"),
    rules: RULES.describe("The PolicyRules of this ClusterRole (controller-managed when aggregationRule is set)."),
    aggregationRule: AggregationRuleSchema.optional().describe(
      "How to build the rules of this ClusterRole from other ClusterRoles; when set, the rules are kept by a controller.",
    ),
  })
  .meta({
    id: `${RBAC_V1}.ClusterRole`,
    description: "A cluster-level, logical grouping of PolicyRules that can be referenced by a RoleBinding or ClusterRoleBinding.",
    "x-kubernetes-group-version-kind": [{ group: RBAC_GROUP, version: "v1", kind: "ClusterRole" }],
  });

/** A v1 ClusterRole. */
export type ClusterRole = z.infer<typeof ClusterRoleSchema>;

/** `ValidateRole`: a namespaced object whose rules may not name non-resource URLs. */
export function validateRole(role: Role): StatusCause[] {
  return [
    ...validateObjectMeta(role.metadata as KubeObject["metadata"], { namespaced: true, nameFn: nameIsPathSegment }),
    ...validatePolicyRules(role.rules, true),
  ];
}

/** `ValidateClusterRole`: cluster-scoped; rules and the aggregation rule's selectors. */
export function validateClusterRole(role: ClusterRole): StatusCause[] {
  return [
    ...validateObjectMeta(role.metadata as KubeObject["metadata"], { namespaced: false, nameFn: nameIsPathSegment }),
    ...validatePolicyRules(role.rules, false),
    ...validateAggregationRule(role.aggregationRule),
  ];
}

/** The Role strategy (no defaults). */
export const roleStrategy: KindStrategy<typeof RoleSchema> = {
  schema: RoleSchema,
  applyDefaults(): void {},
  validate(obj: KubeObject): StatusCause[] {
    return validateRole(asKind<Role>(obj));
  },
};

/** The ClusterRole strategy (no defaults). */
export const clusterRoleStrategy: KindStrategy<typeof ClusterRoleSchema> = {
  schema: ClusterRoleSchema,
  applyDefaults(): void {},
  validate(obj: KubeObject): StatusCause[] {
    return validateClusterRole(asKind<ClusterRole>(obj));
  },
};
