/**
 * @module
 * The parts `rbac.authorization.k8s.io/v1` objects are made of
 * (k8s.io/api/rbac/v1/types.go): PolicyRule, Subject, RoleRef and
 * AggregationRule. Fields upstream requires are optional here so that a
 * missing one reaches validation and gets upstream's message (Go decodes it
 * as the zero value and `ValidateRoleBinding` words the error).
 */
import { z } from "zod";
import { LabelSelectorSchema } from "../meta";

/** Component-name prefix of rbac/v1 types in kube-apiserver's OpenAPI. */
export const RBAC_V1 = "io.k8s.api.rbac.v1";

/** The API group of every RBAC kind, and the only group a roleRef may name. */
export const RBAC_GROUP = "rbac.authorization.k8s.io";

const strings = (description: string) => z.array(z.string()).optional().describe(description);

/** `rbacv1.PolicyRule`. */
export const PolicyRuleSchema = z
  .object({
    verbs: strings("Verbs that apply to all the resources of this rule; '*' is every verb."),
    apiGroups: strings('API groups of the resources; "" is the core group and "*" every group.'),
    resources: strings("Resources this rule applies to ('*' is all, 'pods/log' a subresource)."),
    resourceNames: strings("Names the rule is limited to; empty means every name."),
    nonResourceURLs: strings("Non-resource URL paths ('/healthz', '/apis/*'); only in ClusterRoles bound cluster-wide."),
  })
  .meta({
    id: `${RBAC_V1}.PolicyRule`,
    description: "A rule of a role: verbs on resources or on non-resource URLs, not both.",
  });

/** A v1 PolicyRule. */
export type PolicyRule = z.infer<typeof PolicyRuleSchema>;

/** `rbacv1.Subject`. */
export const SubjectSchema = z
  .object({
    kind: z.string().optional().describe("User, Group or ServiceAccount."),
    apiGroup: z.string().optional().describe('"" for ServiceAccount, rbac.authorization.k8s.io for User and Group.'),
    name: z.string().optional().describe("Name of the user, group or service account."),
    namespace: z.string().optional().describe("Namespace of a ServiceAccount; empty for users and groups."),
  })
  .meta({ id: `${RBAC_V1}.Subject`, description: "A user, group or service account a binding applies to." });

/** A v1 Subject. */
export type Subject = z.infer<typeof SubjectSchema>;

/** `rbacv1.RoleRef`. */
export const RoleRefSchema = z
  .object({
    apiGroup: z.string().optional().describe("The group of the referenced role: rbac.authorization.k8s.io."),
    kind: z.string().optional().describe("Role or ClusterRole."),
    name: z.string().optional().describe("Name of the referenced role."),
  })
  .meta({ id: `${RBAC_V1}.RoleRef`, description: "The role a binding grants. Immutable." });

/** A v1 RoleRef. */
export type RoleRef = z.infer<typeof RoleRefSchema>;

/** `rbacv1.AggregationRule`. */
export const AggregationRuleSchema = z
  .object({
    clusterRoleSelectors: z
      .array(LabelSelectorSchema)
      .optional()
      .describe("ClusterRoles matching any of these selectors have their rules aggregated into this one."),
  })
  .meta({ id: `${RBAC_V1}.AggregationRule`, description: "How to find the ClusterRoles aggregated into a ClusterRole." });

/** A v1 AggregationRule. */
export type AggregationRule = z.infer<typeof AggregationRuleSchema>;
