/**
 * @module
 * A request's authorization attributes, read from its method and URL alone
 * as upstream's RequestInfoFactory reads them (audit/request-info.ts), so
 * paths outside the registry — KubeVirt's subresources, the review APIs —
 * are decided like any other. A list or watch whose field selector pins
 * metadata.name is decided for that name, as upstream does, so a rule with
 * resourceNames allows `kubectl get pod x -w`.
 */
import { ApiError } from "../../shared/k8s/errors";
import { parseFieldSelector } from "../../shared/k8s/fields";
import { requestInfo } from "../audit/request-info";
import type { Attributes } from "./policy";

function pinnedName(url: URL): string {
  const selector = url.searchParams.get("fieldSelector");
  if (!selector) return "";
  try {
    return parseFieldSelector(selector).requiresExactMatch("metadata.name") ?? "";
  } catch (err) {
    // A malformed selector pins nothing; the handler answers it with its own 400.
    if (err instanceof ApiError) return "";
    throw err;
  }
}

/** The attributes of a request. */
export function attributesOf(method: string, url: URL): Attributes {
  const info = requestInfo(method, url);
  const ref = info.objectRef;
  if (!ref) return { resourceRequest: false, verb: info.verb, path: url.pathname };
  const name = ref.name ?? (info.verb === "list" || info.verb === "watch" ? pinnedName(url) : "");
  return {
    resourceRequest: true, verb: info.verb, apiGroup: ref.apiGroup, resource: ref.resource,
    subresource: ref.subresource ?? "", namespace: ref.namespace ?? "", name,
  };
}
