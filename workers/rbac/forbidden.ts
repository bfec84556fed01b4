/**
 * @module
 * The 403 a denied request gets, worded as upstream's
 * responsewriters.Forbidden words it (kubectl users and scripts match on
 * it): `pods is forbidden: User "x" cannot list resource "pods" in API group
 * "" in the namespace "b"`, the authorizer's reason appended when it has one.
 */
import { ApiError } from "../../shared/k8s/errors";
import { type Attributes, combinedResource } from "./policy";

/** What upstream says a user cannot do. */
export function forbiddenMessage(username: string, attrs: Attributes): string {
  if (!attrs.resourceRequest) return `User "${username}" cannot ${attrs.verb} path "${attrs.path}"`;
  const what = `User "${username}" cannot ${attrs.verb} resource "${combinedResource(attrs.resource, attrs.subresource)}" in API group "${attrs.apiGroup}"`;
  return attrs.namespace !== "" ? `${what} in the namespace "${attrs.namespace}"` : `${what} at the cluster scope`;
}

/** The Forbidden error for a denied request (errors.NewForbidden on the group-resource and name). */
export function forbiddenRequest(username: string, attrs: Attributes, reason: string): ApiError {
  const message = forbiddenMessage(username, attrs) + (reason !== "" ? `: ${reason}` : "");
  if (!attrs.resourceRequest) return new ApiError(403, "Forbidden", `forbidden: ${message}`);
  const qualified = attrs.apiGroup === "" ? attrs.resource : `${attrs.resource}.${attrs.apiGroup}`;
  const prefix = attrs.name === "" ? `${qualified} is forbidden` : `${qualified} "${attrs.name}" is forbidden`;
  return new ApiError(403, "Forbidden", `${prefix}: ${message}`, {
    ...(attrs.name !== "" ? { name: attrs.name } : {}),
    ...(attrs.apiGroup !== "" ? { group: attrs.apiGroup } : {}),
    kind: attrs.resource,
  });
}
