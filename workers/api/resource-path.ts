/**
 * @module
 * Parses a REST path into the kind, namespace, name and subresource it
 * addresses, the way the apiserver's RequestInfoFactory does (including the
 * `namespaces/{name}/status` ambiguity).
 */
import { ApiError } from "../../shared/k8s/errors";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import type { ObjectRef } from "../objects/object-ref";
import { kindByPath, resourceKey } from "../registry";

/** What a resource URL addresses. */
export interface ResourcePath {
  kind: ResourceKind;
  /** Namespace from the path; undefined for cluster scope or all namespaces. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** upstream's 404 for a path that names no resource. */
export function pathNotFound(): ApiError {
  return new ApiError(404, "NotFound", "the server could not find the requested resource");
}

/** Parses `/api/v1/...` or `/apis/<group>/<version>/...`; throws 404 for unknown paths. */
export function parseResourcePath(pathname: string): ResourcePath {
  const segs = pathname.split("/").filter((s) => s !== "").map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === "api" && segs.length >= 3) {
    group = "";
    version = segs[1] ?? "";
    rest = segs.slice(2);
  } else if (segs[0] === "apis" && segs.length >= 4) {
    group = segs[1] ?? "";
    version = segs[2] ?? "";
    rest = segs.slice(3);
  } else {
    throw pathNotFound();
  }
  let namespace: string | undefined;
  const namespaceSub = rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize");
  if (rest[0] === "namespaces" && rest.length >= 3 && !namespaceSub) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 3) throw pathNotFound();
  const [plural = "", name, subresource] = rest;
  const kind = kindByPath(group, version, plural);
  if (!kind) throw pathNotFound();
  if (!kind.namespaced && namespace !== undefined) throw pathNotFound();
  if (kind.namespaced && namespace === undefined && name !== undefined) throw pathNotFound();
  if (subresource !== undefined && subresource !== "status" && !(subresource === "scale" && kind.scale)) {
    throw pathNotFound();
  }
  return { kind, namespace, name, subresource };
}

/** The storage ref of a named object. */
export function refOfPath(path: ResourcePath, name: string): ObjectRef {
  return { resource: resourceKey(path.kind), namespace: path.kind.namespaced ? (path.namespace ?? "") : "", name };
}
