/**
 * @module
 * The RBAC authorizer (upstream plugin/pkg/auth/authorizer/rbac): a request
 * is allowed when some rule of some role bound to the caller — by a
 * ClusterRoleBinding anywhere, or by a RoleBinding in the request's
 * namespace — allows it. Rules only add; there is no deny. Members of
 * system:masters are allowed everything before RBAC is consulted, as
 * upstream's privileged-group authorizer does.
 */
import { ADMIN_GROUP } from "../../shared/hosts/constants";
import type { Attributes, PolicyRule } from "./policy";
import type { BindingRef, RbacSnapshot } from "./rbac-snapshot";
import { userKeys } from "./rbac-snapshot";
import { ruleAllows } from "./rule-match";

/** Who is asking (user.Info without what RBAC does not read). */
export interface Requester {
  username: string;
  groups: readonly string[];
}

/** An authorization decision and why (the reason SubjectAccessReview reports). */
export interface Decision {
  allowed: boolean;
  reason: string;
}

function rulesOfBinding(snapshot: RbacSnapshot, b: BindingRef): PolicyRule[] | undefined {
  return b.roleRef.kind === "ClusterRole" ? snapshot.clusterRoles.get(b.roleRef.name) : snapshot.roles.get(`${b.namespace}/${b.roleRef.name}`);
}

/** The bindings that apply to `user` for `namespace` ("" = cluster scope only), cluster ones first. */
function bindingsFor(snapshot: RbacSnapshot, user: Requester, namespace: string): BindingRef[] {
  const keys = userKeys(user);
  const found: BindingRef[] = [];
  for (const k of keys) found.push(...(snapshot.clusterBindings.get(k) ?? []));
  if (namespace !== "") {
    const local = snapshot.namespaceBindings.get(namespace);
    if (local) for (const k of keys) found.push(...(local.get(k) ?? []));
  }
  return found;
}

function describeBinding(b: BindingRef): string {
  const where = b.kind === "RoleBinding" ? `RoleBinding "${b.name}" of ${b.roleRef.kind} "${b.roleRef.name}" in namespace "${b.namespace}"`
    : `ClusterRoleBinding "${b.name}" of ClusterRole "${b.roleRef.name}"`;
  return `RBAC: allowed by ${where} to ${b.subject.kind} "${b.subject.name}"`;
}

/** Decides `attrs` for `user` against `snapshot`. */
export function authorize(snapshot: RbacSnapshot, user: Requester, attrs: Attributes): Decision {
  if (user.groups.includes(ADMIN_GROUP)) return { allowed: true, reason: `allowed for members of ${ADMIN_GROUP}` };
  const namespace = attrs.resourceRequest ? attrs.namespace : "";
  const missing: string[] = [];
  for (const b of bindingsFor(snapshot, user, namespace)) {
    const rules = rulesOfBinding(snapshot, b);
    if (!rules) {
      missing.push(`${b.roleRef.kind.toLowerCase()}.rbac.authorization.k8s.io "${b.roleRef.name}" not found`);
      continue;
    }
    if (rules.some((r) => ruleAllows(r, attrs))) return { allowed: true, reason: describeBinding(b) };
  }
  // Upstream reports only the roles it could not find; an ordinary denial has no reason.
  return { allowed: false, reason: missing.length > 0 ? `RBAC: [${[...new Set(missing)].join(", ")}]` : "" };
}

/**
 * Every rule that applies to `user` in `namespace` ("" = cluster-wide rules
 * only): what SelfSubjectRulesReview lists and what escalation checks hold
 * a new role against. Members of system:masters hold everything.
 */
export function rulesFor(snapshot: RbacSnapshot, user: Requester, namespace: string): { rules: PolicyRule[]; incomplete: boolean } {
  if (user.groups.includes(ADMIN_GROUP)) {
    return {
      rules: [
        { verbs: ["*"], apiGroups: ["*"], resources: ["*"], resourceNames: [], nonResourceURLs: [] },
        { verbs: ["*"], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ["*"] },
      ],
      incomplete: false,
    };
  }
  const rules: PolicyRule[] = [];
  let incomplete = false;
  const seen = new Set<string>();
  for (const b of bindingsFor(snapshot, user, namespace)) {
    const key = `${b.roleRef.kind}/${b.roleRef.kind === "Role" ? b.namespace : ""}/${b.roleRef.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const found = rulesOfBinding(snapshot, b);
    if (found) rules.push(...found);
    else incomplete = true;
  }
  return { rules, incomplete };
}
