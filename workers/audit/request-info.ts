/**
 * @module
 * What a request is about, the way the apiserver's RequestInfoFactory reads
 * it from the URL alone (no registry lookup, so unknown resources and other
 * API groups — the host API, KubeVirt's subresources — are described too):
 * the verb (get/list/watch/create/update/patch/delete/deletecollection for
 * resource requests, the lower-case method otherwise) and the object's
 * group, version, resource, subresource, namespace and name.
 */

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

function isTrue(value: string | null): boolean {
  return value === "true" || value === "1";
}

/** Describes a request by its method and URL. */
export function requestInfo(method: string, url: URL): RequestInfo {
  const segs = url.pathname.split("/").filter((s) => s !== "").map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  let apiGroup: string;
  let rest: string[];
  let apiVersion: string;
  if (segs[0] === "api" && segs.length >= 3) {
    [apiGroup, apiVersion, rest] = ["", segs[1] ?? "", segs.slice(2)];
  } else if (segs[0] === "apis" && segs.length >= 4) {
    [apiGroup, apiVersion, rest] = [segs[1] ?? "", segs[2] ?? "", segs.slice(3)];
  } else {
    return { verb: method.toLowerCase() };
  }
  let namespace: string | undefined;
  // `namespaces/{name}` and its subresources are the Namespace itself, not a namespace scope.
  if (rest[0] === "namespaces" && rest.length >= 3 && !(rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize"))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = "", name, ...sub] = rest;
  const watch = method === "GET" && isTrue(url.searchParams.get("watch"));
  const verb = watch ? "watch" : ((name === undefined ? COLLECTION_VERBS : OBJECT_VERBS)[method] ?? method.toLowerCase());
  return {
    verb,
    objectRef: {
      apiGroup, apiVersion, resource,
      ...(sub.length > 0 ? { subresource: sub.join("/") } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
    },
  };
}
