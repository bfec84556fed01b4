/**
 * @module
 * Upstream's RBAC validation (`pkg/apis/rbac/validation/validation.go`,
 * v1.32) for the parts of RBAC objects: rules, aggregation rules, roleRefs
 * and subjects, with upstream's field paths and messages.
 */
import type { StatusCause } from "../../k8s/errors";
import { labelSelectorFromObject, validateLabelSelectorObject } from "../../k8s/labels";
import {
  GoSyntax,
  goQuote,
  invalidValue,
  isValidPathSegmentName,
  nameIsDNSSubdomain,
  notSupported,
  required,
} from "../../k8s/validation";
import { RBAC_GROUP, type AggregationRule, type PolicyRule, type RoleRef, type Subject } from "./rbac-types";

/** `validatePolicyRule`: verbs always; either non-resource URLs (cluster roles only) or groups and resources. */
export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const verbs = rule.verbs ?? [];
  const groups = rule.apiGroups ?? [];
  const resources = rule.resources ?? [];
  const names = rule.resourceNames ?? [];
  const urls = rule.nonResourceURLs ?? [];
  if (verbs.length === 0) causes.push(required(`${path}.verbs`, "verbs must contain at least one value"));
  if (urls.length > 0) {
    if (namespaced) {
      causes.push(invalidValue(`${path}.nonResourceURLs`, urls, "namespaced rules cannot apply to non-resource URLs"));
    }
    if (groups.length > 0 || resources.length > 0 || names.length > 0) {
      causes.push(
        invalidValue(`${path}.nonResourceURLs`, urls, "rules cannot apply to both regular resources and non-resource URLs"),
      );
    }
    return causes;
  }
  if (groups.length === 0) causes.push(required(`${path}.apiGroups`, "resource rules must supply at least one api group"));
  if (resources.length === 0) causes.push(required(`${path}.resources`, "resource rules must supply at least one resource"));
  if (names.length > 0 && resources.length > 1) {
    causes.push(required(`${path}.resourceNames`, "resource names cannot apply to multiple resources"));
  }
  return causes;
}

/** The rules of a Role (`namespaced`) or ClusterRole, each at `rules[i]`. */
export function validatePolicyRules(rules: readonly PolicyRule[] | undefined, namespaced: boolean): StatusCause[] {
  return (rules ?? []).flatMap((rule, i) => validatePolicyRule(rule, namespaced, `rules[${i}]`));
}

/** `ValidateClusterRole`'s aggregationRule part: at least one selector, each a valid label selector. */
export function validateAggregationRule(rule: AggregationRule | undefined): StatusCause[] {
  if (rule === undefined) return [];
  const path = "aggregationRule.clusterRoleSelectors";
  const selectors = rule.clusterRoleSelectors ?? [];
  const causes: StatusCause[] = [];
  if (selectors.length === 0) {
    causes.push(required(path, "at least one clusterRoleSelector required if aggregationRule is non-nil"));
  }
  selectors.forEach((selector, i) => {
    const found = validateLabelSelectorObject(selector, `${path}[${i}]`);
    causes.push(...found);
    if (found.length > 0) return;
    try {
      labelSelectorFromObject(selector);
    } catch {
      causes.push(invalidValue(`${path}[${i}]`, selector, "invalid label selector."));
    }
  });
  return causes;
}

/** `ValidateRoleBinding` / `ValidateClusterRoleBinding`'s roleRef part; `kinds` are the kinds it may name. */
export function validateRoleRef(ref: RoleRef | undefined, kinds: readonly string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const apiGroup = ref?.apiGroup ?? "";
  const kind = ref?.kind ?? "";
  const name = ref?.name ?? "";
  if (apiGroup !== RBAC_GROUP) causes.push(notSupported("roleRef.apiGroup", apiGroup, [RBAC_GROUP]));
  if (!kinds.includes(kind)) causes.push(notSupported("roleRef.kind", kind, kinds));
  if (name === "") causes.push(required("roleRef.name"));
  else for (const msg of isValidPathSegmentName(name)) causes.push(invalidValue("roleRef.name", name, msg));
  return causes;
}

/** `validateRoleBindingSubject`: a ServiceAccount needs a namespace in cluster bindings; users and groups the RBAC group. */
export function validateSubject(subject: Subject, namespaced: boolean, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = subject.name ?? "";
  const apiGroup = subject.apiGroup ?? "";
  if (name === "") causes.push(required(`${path}.name`));
  switch (subject.kind ?? "") {
    case "ServiceAccount":
      if (name !== "") for (const msg of nameIsDNSSubdomain(name, false)) causes.push(invalidValue(`${path}.name`, name, msg));
      if (apiGroup !== "") causes.push(notSupported(`${path}.apiGroup`, apiGroup, [""]));
      if (!namespaced && !subject.namespace) causes.push(required(`${path}.namespace`));
      break;
    case "User":
    case "Group": {
      const what = subject.kind === "User" ? "user" : "group";
      if (name === "") causes.push(invalidValue(`${path}.name`, name, `${what} name cannot be empty`));
      if (apiGroup !== RBAC_GROUP) causes.push(notSupported(`${path}.apiGroup`, apiGroup, [RBAC_GROUP]));
      break;
    }
    default:
      causes.push(notSupported(`${path}.kind`, subject.kind ?? "", ["ServiceAccount", "User", "Group"]));
  }
  return causes;
}

/** The subjects of a binding, each at `subjects[i]`. */
export function validateSubjects(subjects: readonly Subject[] | undefined, namespaced: boolean): StatusCause[] {
  return (subjects ?? []).flatMap((s, i) => validateSubject(s, namespaced, `subjects[${i}]`));
}

/** The roleRef as Go's `%#v` prints the internal struct, which is what 1.32's "cannot change roleRef" shows. */
function roleRefGoSyntax(ref: RoleRef | undefined): GoSyntax {
  const f = (v: string | undefined): string => goQuote(v ?? "");
  return new GoSyntax(`rbac.RoleRef{APIGroup:${f(ref?.apiGroup)}, Kind:${f(ref?.kind)}, Name:${f(ref?.name)}}`);
}

/** `ValidateRoleBindingUpdate`'s own rule: a binding's roleRef never changes. */
export function validateRoleRefUnchanged(ref: RoleRef | undefined, old: RoleRef | undefined): StatusCause[] {
  const same = (ref?.apiGroup ?? "") === (old?.apiGroup ?? "") && (ref?.kind ?? "") === (old?.kind ?? "") &&
    (ref?.name ?? "") === (old?.name ?? "");
  return same ? [] : [invalidValue("roleRef", roleRefGoSyntax(ref), "cannot change roleRef")];
}
