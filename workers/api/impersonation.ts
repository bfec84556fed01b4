/**
 * @module
 * Impersonation (upstream k8s.io/apiserver/pkg/endpoints/filters/impersonation.go):
 * `Impersonate-User`, `-Group`, `-Uid` and `-Extra-<key>` make the request
 * act as another identity, each part allowed separately by the `impersonate`
 * verb — users (or a ServiceAccount, by its namespace and name), groups,
 * uids and userextras/<key> — for the caller. What `kubectl --as` and
 * `--as-group` send.
 */
import { AUTHENTICATED_GROUP } from "../../shared/hosts/constants";
import { badRequest } from "../../shared/k8s/errors";
import type { Attributes } from "../rbac/policy";
import { forbiddenRequest } from "../rbac/forbidden";
import type { UserInfo } from "./auth";

const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";
const EXTRA_PREFIX = "impersonate-extra-";

/** What a request asks to impersonate; undefined when it asks nothing. */
export interface ImpersonationRequest {
  username: string;
  groups: string[];
  uid?: string;
  extra: Record<string, string[]>;
}

/** Reads the impersonation headers; 400 when groups, uid or extras come without a user, as upstream. */
export function impersonationOf(headers: Headers): ImpersonationRequest | undefined {
  const username = headers.get("impersonate-user");
  const groups = headers.get("impersonate-group");
  const uid = headers.get("impersonate-uid");
  const extra: Record<string, string[]> = {};
  headers.forEach((value, name) => {
    if (!name.startsWith(EXTRA_PREFIX)) return;
    let key = name.slice(EXTRA_PREFIX.length);
    try {
      key = decodeURIComponent(key);
    } catch {
      throw badRequest(`invalid impersonation extra key "${key}": not a percent-encoded string`);
    }
    extra[key] = value.split(",").map((v) => v.trim());
  });
  if (username === null) {
    if (groups !== null || uid !== null || Object.keys(extra).length > 0) {
      throw badRequest("requested impersonation of groups, uid or extra without impersonating a user");
    }
    return undefined;
  }
  // Headers repeat as one comma-joined value: a group name cannot hold a comma here.
  const groupList = groups === null ? [] : groups.split(",").map((g) => g.trim()).filter((g) => g !== "");
  return { username, groups: groupList, ...(uid !== null ? { uid } : {}), extra };
}

/** The permissions impersonating `request` needs, one `impersonate` each. */
export function impersonationChecks(request: ImpersonationRequest): Attributes[] {
  const check = (apiGroup: string, resource: string, name: string, namespace = "", subresource = ""): Attributes =>
    ({ resourceRequest: true, verb: "impersonate", apiGroup, resource, subresource, namespace, name });
  const checks: Attributes[] = [];
  const sa = serviceAccountOf(request.username);
  checks.push(sa ? check("", "serviceaccounts", sa.name, sa.namespace) : check("", "users", request.username));
  for (const g of request.groups) checks.push(check("", "groups", g));
  if (request.uid !== undefined) checks.push(check("authentication.k8s.io", "uids", request.uid));
  for (const [key, values] of Object.entries(request.extra)) {
    for (const v of values) checks.push(check("authentication.k8s.io", "userextras", v, "", key));
  }
  return checks;
}

function serviceAccountOf(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const [namespace, name, ...rest] = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(":");
  if (!namespace || !name || rest.length > 0) return undefined;
  return { namespace, name };
}

/** The identity a permitted impersonation yields (a ServiceAccount gains its groups; everyone system:authenticated). */
export function impersonatedUser(request: ImpersonationRequest): UserInfo {
  const groups = [...request.groups];
  const sa = serviceAccountOf(request.username);
  if (sa) groups.push("system:serviceaccounts", `system:serviceaccounts:${sa.namespace}`);
  if (request.username !== "system:anonymous") groups.push(AUTHENTICATED_GROUP);
  return {
    username: request.username,
    groups: [...new Set(groups)],
    ...(request.uid !== undefined ? { uid: request.uid } : {}),
    ...(Object.keys(request.extra).length > 0 ? { extra: request.extra } : {}),
  };
}

/** The 403 for an impersonation the caller may not make. */
export function impersonationDenied(user: UserInfo, attrs: Attributes, reason: string) {
  return forbiddenRequest(user.username, attrs, reason);
}
