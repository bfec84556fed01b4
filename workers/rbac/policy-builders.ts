/**
 * @module
 * Small builders for the default policy, as upstream's `rbacv1helpers`
 * (`NewRule(...).Groups(...).Resources(...).RuleOrDie()`, which sorts every
 * list, and `NewClusterBinding(...).Groups(...)`), so the data modules read
 * like upstream's policy.go.
 */
import type { KubeObject } from "../../shared/k8s/object";
import { RBAC_GROUP, type PolicyRule, type Subject } from "../../shared/schemas";

/** The label every bootstrap object carries (`bootstrappolicy.Label`). */
export const BOOTSTRAPPING_LABEL = "kubernetes.io/bootstrapping";
/** The annotation that lets an administrator stop reconciliation with "false" (`rbacv1.AutoUpdateAnnotationKey`). */
export const AUTOUPDATE_ANNOTATION = "rbac.authorization.kubernetes.io/autoupdate";

const RBAC_API_VERSION = `${RBAC_GROUP}/v1`;
const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/** A resource rule: `verbs` on `resources` of `groups`, lists sorted as RuleOrDie leaves them. */
export function rule(verbs: readonly string[], groups: readonly string[], resources: readonly string[], names: readonly string[] = []): PolicyRule {
  return {
    verbs: sorted(verbs),
    apiGroups: sorted(groups),
    resources: sorted(resources),
    ...(names.length > 0 ? { resourceNames: sorted(names) } : {}),
  };
}

/** A non-resource rule: `verbs` on URL paths. */
export function urlRule(verbs: readonly string[], urls: readonly string[]): PolicyRule {
  return { verbs: sorted(verbs), nonResourceURLs: sorted(urls) };
}

/** Metadata of an upstream bootstrap object: its extra labels plus the bootstrapping label and autoupdate annotation. */
function bootstrapMeta(name: string, labels: Record<string, string> = {}): KubeObject["metadata"] {
  return {
    name,
    labels: { ...labels, [BOOTSTRAPPING_LABEL]: "rbac-defaults" },
    annotations: { [AUTOUPDATE_ANNOTATION]: "true" },
  };
}

/** An upstream bootstrap ClusterRole (labelled and annotated as `addDefaultMetadata` does). */
export function clusterRole(
  name: string,
  rules: PolicyRule[],
  opts: { labels?: Record<string, string>; aggregateFrom?: string } = {},
): KubeObject {
  return clusterRoleWithMeta(bootstrapMeta(name, opts.labels), rules, opts.aggregateFrom);
}

/** A ClusterRole with the metadata given as is (KubeVirt's roles carry KubeVirt's labels, not upstream's). */
export function clusterRoleWithMeta(metadata: KubeObject["metadata"], rules: PolicyRule[], aggregateFrom?: string): KubeObject {
  const role: KubeObject = { apiVersion: RBAC_API_VERSION, kind: "ClusterRole", metadata };
  if (aggregateFrom !== undefined) {
    role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [aggregateFrom]: "true" } }] };
  }
  role.rules = rules;
  return role;
}

/** `NewClusterBinding(role).Groups(groups...)`: a ClusterRoleBinding named after its ClusterRole. */
export function clusterBindingToGroups(role: string, groups: readonly string[], labels?: Record<string, string>): KubeObject {
  const subjects: Subject[] = groups.map((name) => ({ kind: "Group", apiGroup: RBAC_GROUP, name }));
  return {
    apiVersion: RBAC_API_VERSION,
    kind: "ClusterRoleBinding",
    metadata: labels ? { name: role, labels, annotations: { [AUTOUPDATE_ANNOTATION]: "true" } } : bootstrapMeta(role),
    roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: role },
    subjects,
  };
}
