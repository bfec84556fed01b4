/**
 * @module
 * What a request is about, the way the apiserver's RequestInfoFactory reads
 * it from the URL alone (no registry lookup, so unknown resources and other
 * API groups — the host API, KubeVirt's subresources — are described too):
 * the verb (get/list/watch/create/update/patch/delete/deletecollection for
 * resource requests, the lower-case method otherwise) and the object's
 * group, version, resource, subresource, namespace and name.
 */
import { splitResourcePath } from "../api/resource-path";
import { isWatch } from "../api/watch-handler";

/** The request's target, as audit.k8s.io's ObjectReference names it. */
export interface RequestInfo {
  verb: string;
  /** Absent for non-resource requests (`/version`, the webhook). */
  objectRef?: {
    apiGroup: string;
    apiVersion: string;
    resource: string;
    subresource?: string;
    namespace?: string;
    name?: string;
  };
}

const COLLECTION_VERBS: Record<string, string> = { GET: "list", POST: "create", DELETE: "deletecollection" };
const OBJECT_VERBS: Record<string, string> = { GET: "get", PUT: "update", PATCH: "patch", DELETE: "delete", POST: "create" };

/** Describes a request by its method and URL. */
export function requestInfo(method: string, url: URL): RequestInfo {
  const parts = splitResourcePath(url.pathname);
  if (!parts) return { verb: method.toLowerCase() };
  // Only a GET of a collection is a watch: a GET of a name is served as a get whatever its query says.
  const watch = method === "GET" && parts.name === undefined && isWatch(url);
  const verbs = parts.name === undefined ? COLLECTION_VERBS : OBJECT_VERBS;
  return {
    verb: watch ? "watch" : (verbs[method] ?? method.toLowerCase()),
    objectRef: {
      apiGroup: parts.group, apiVersion: parts.version, resource: parts.resource,
      ...(parts.subresource !== undefined ? { subresource: parts.subresource } : {}),
      ...(parts.namespace !== undefined ? { namespace: parts.namespace } : {}),
      ...(parts.name !== undefined ? { name: parts.name } : {}),
    },
  };
}
