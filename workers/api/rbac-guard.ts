/**
 * @module
 * The front half of escalation prevention (rbac/escalation.ts): for a write
 * to a Role, ClusterRole or binding by a caller outside system:masters,
 * decides what can be decided before the write and returns the guard the
 * store checks the committed object against. A binding the caller may not
 * make is refused here, with upstream's words.
 */
import { forbiddenObject } from "../../shared/k8s/errors";
import { isJsonObject, type Json } from "../../shared/k8s/object";
import { ADMIN_GROUP } from "../../shared/hosts/constants";
import { rulesFor } from "../rbac/authorizer";
import { decide } from "../rbac/decisions";
import { BINDING_RESOURCES, notHeldMessage, type RbacGuard, ROLE_RESOURCES } from "../rbac/escalation";
import { uncovered } from "../rbac/covers";
import { type Attributes, RBAC_GROUP, type RoleRef, roleRefOf } from "../rbac/policy";
import { rbacSnapshot } from "../rbac/rbac-snapshot";
import { findObject } from "../objects/client";
import { resourceKey } from "../registry";
import type { UserInfo } from "./auth";
import { mediaType, parseJsonOrYaml, readBodyText, readObjectBody } from "./body";

const GUARDED_VERBS = new Set(["create", "update", "patch"]);

/** The name a created object will have, for messages (generateName leaves it open). */
function nameIn(body: Json): string {
  const meta = isJsonObject(body) && isJsonObject(body.metadata) ? body.metadata : {};
  return typeof meta.name === "string" ? meta.name : "";
}

/** The request body, read from a copy so the handler still reads the original. */
async function bodyOf(req: Request): Promise<Json> {
  const copy = req.clone();
  if (mediaType(req.headers.get("content-type")) === "application/apply-patch+yaml") return parseJsonOrYaml(await readBodyText(copy));
  return readObjectBody(copy);
}

/** The guard for this request, or undefined when it needs none. */
export async function rbacGuardFor(
  env: Env, req: Request, background: (p: Promise<unknown>) => void, user: UserInfo, attrs: Attributes,
): Promise<RbacGuard | undefined> {
  if (!attrs.resourceRequest || attrs.apiGroup !== RBAC_GROUP || attrs.subresource !== "" || !GUARDED_VERBS.has(attrs.verb)) return undefined;
  if (user.groups.includes(ADMIN_GROUP)) return undefined;
  const isRole = ROLE_RESOURCES.has(attrs.resource);
  if (!isRole && !BINDING_RESOURCES.has(attrs.resource)) return undefined;
  const namespace = attrs.namespace;
  if (isRole) {
    const escalate = await decide(env, user, { ...attrs, verb: "escalate" }, background);
    if (escalate.allowed) return undefined;
    const snapshot = await rbacSnapshot(env, background);
    return { kind: "role", username: user.username, groups: [...user.groups], held: rulesFor(snapshot, user, namespace).rules };
  }
  // The roleRef is immutable: a stored binding's is the one that counts; a new one's is in the body.
  const stored = attrs.name === "" ? undefined
    : await findObject(env, { resource: resourceKey({ group: RBAC_GROUP, plural: attrs.resource }), namespace, name: attrs.name });
  const body = stored ? undefined : await bodyOf(req);
  const name = attrs.name !== "" ? attrs.name : nameIn(body ?? null);
  const roleRef: RoleRef | undefined = roleRefOf(stored ?? (isJsonObject(body) ? body : {}));
  // No roleRef: validation refuses the object before the guard is consulted; this one admits no roleRef at all.
  if (!roleRef) return { kind: "binding", roleRef: { kind: "ClusterRole", name: "" } };
  const roleResource = roleRef.kind === "Role" ? "roles" : "clusterroles";
  const bind = await decide(env, user, {
    resourceRequest: true, verb: "bind", apiGroup: RBAC_GROUP, resource: roleResource, subresource: "", namespace, name: roleRef.name,
  }, background);
  if (bind.allowed) return { kind: "binding", roleRef };
  const snapshot = await rbacSnapshot(env, background);
  const ref = { group: RBAC_GROUP, resource: attrs.resource };
  const roleRules = roleRef.kind === "Role" ? snapshot.roles.get(`${namespace}/${roleRef.name}`) : snapshot.clusterRoles.get(roleRef.name);
  if (!roleRules) throw forbiddenObject(ref, name, `${roleResource}.${RBAC_GROUP} "${roleRef.name}" not found`);
  const missing = uncovered(rulesFor(snapshot, user, namespace).rules, roleRules);
  if (missing.length > 0) throw forbiddenObject(ref, name, notHeldMessage(user.username, user.groups, missing));
  return { kind: "binding", roleRef };
}
