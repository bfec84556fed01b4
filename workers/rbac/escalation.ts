/**
 * @module
 * Escalation prevention (upstream pkg/registry/rbac/escalation_check.go and
 * validation.ConfirmNoEscalation): nobody grants what they do not hold.
 * Writing a Role or ClusterRole needs every permission in it, or `escalate`
 * on it; using an aggregationRule needs full authority; writing a binding
 * needs `bind` on the role it references, or every permission of that role.
 * Members of system:masters pass.
 *
 * The API front decides what it can before the write (bindings: the role
 * referenced is known from the body or the stored object, and roleRef is
 * immutable) and hands the store a guard; the store checks the object it is
 * about to commit against the guard, so a patch cannot slip past what was
 * decided on its input.
 */
import { forbiddenObject } from "../../shared/k8s/errors";
import type { KubeObject } from "../../shared/k8s/object";
import { uncovered, describeRule } from "./covers";
import { type PolicyRule, RBAC_GROUP, type RoleRef, roleRefOf, rulesOf } from "./policy";

/** What the store admits a write to an RBAC object against. */
export type RbacGuard =
  | { kind: "role"; username: string; groups: string[]; held: PolicyRule[] }
  | { kind: "binding"; roleRef: RoleRef };

/** Every permission there is: what an aggregationRule needs. */
export const FULL_AUTHORITY: readonly PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"], resourceNames: [], nonResourceURLs: [] },
  { verbs: ["*"], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ["*"] },
];

/** The resources whose writes are guarded, by registry plural. */
export const ROLE_RESOURCES: ReadonlySet<string> = new Set(["roles", "clusterroles"]);
export const BINDING_RESOURCES: ReadonlySet<string> = new Set(["rolebindings", "clusterrolebindings"]);

/** Upstream's words for permissions a caller does not hold. */
export function notHeldMessage(username: string, groups: readonly string[], missing: readonly PolicyRule[]): string {
  const quoted = groups.map((g) => JSON.stringify(g)).join(" ");
  return `user ${JSON.stringify(username)} (groups=[${quoted}]) is attempting to grant RBAC permissions not currently held:\n${missing.map(describeRule).join("\n")}`;
}

/** Checks the object a guarded write would commit; throws 403 Forbidden when it grants more than was allowed. */
export function admitRbacWrite(plural: string, name: string, guard: RbacGuard, next: KubeObject): void {
  const ref = { group: RBAC_GROUP, resource: plural };
  if (guard.kind === "role") {
    const missing = uncovered(guard.held, rulesOf(next));
    if (missing.length > 0) throw forbiddenObject(ref, name, notHeldMessage(guard.username, guard.groups, missing));
    const aggregation = (next as unknown as Record<string, unknown>).aggregationRule;
    if (aggregation !== undefined && aggregation !== null && uncovered(guard.held, FULL_AUTHORITY).length > 0) {
      throw forbiddenObject(ref, name, "must have cluster-admin privileges to use the aggregationRule");
    }
    return;
  }
  const roleRef = roleRefOf(next);
  if (!roleRef || roleRef.kind !== guard.roleRef.kind || roleRef.name !== guard.roleRef.name) {
    throw forbiddenObject(ref, name, `the binding's roleRef differs from the ${guard.roleRef.kind} "${guard.roleRef.name}" it was authorized for`);
  }
}
