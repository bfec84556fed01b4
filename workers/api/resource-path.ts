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

/** A resource URL's parts, read from the path alone (no registry lookup). */
export interface PathParts {
  group: string;
  version: string;
  /** The plural resource name. */
  resource: string;
  namespace?: string;
  name?: string;
  /** Every segment after the name, joined with "/" (`status`, `scale`, `binding`, `start`…). */
  subresource?: string;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // not valid percent-encoding: the segment as sent, which matches no resource
  }
}

/**
 * Splits `/api/v1/...` or `/apis/<group>/<version>/...` the way the
 * apiserver's RequestInfoFactory does, including the `namespaces/{name}/status`
 * ambiguity (that is the Namespace itself, not a namespace scope); undefined
 * for a path outside both.
 */
export function splitResourcePath(pathname: string): PathParts | undefined {
  const segs = pathname.split("/").filter((s) => s !== "").map(decodeSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === "api" && segs.length >= 3) {
    [group, version, rest] = ["", segs[1] ?? "", segs.slice(2)];
  } else if (segs[0] === "apis" && segs.length >= 4) {
    [group, version, rest] = [segs[1] ?? "", segs[2] ?? "", segs.slice(3)];
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  const namespaceSub = rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize");
  if (rest[0] === "namespaces" && rest.length >= 3 && !namespaceSub) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = "", name, ...sub] = rest;
  return {
    group, version, resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(sub.length > 0 ? { subresource: sub.join("/") } : {}),
  };
}

/** Parses `/api/v1/...` or `/apis/<group>/<version>/...` into a served kind; throws 404 for unknown paths. */
export function parseResourcePath(pathname: string): ResourcePath {
  const parts = splitResourcePath(pathname);
  if (!parts) throw pathNotFound();
  const { namespace, name, subresource } = parts;
  const kind = kindByPath(parts.group, parts.version, parts.resource);
  if (!kind) throw pathNotFound();
  if (!kind.namespaced && namespace !== undefined) throw pathNotFound();
  if (kind.namespaced && namespace === undefined && name !== undefined) throw pathNotFound();
  if (subresource !== undefined && subresource !== "status" && !(subresource === "scale" && kind.scale) && !(subresource === "token" && kind.tokenRequest)) {
    throw pathNotFound();
  }
  return { kind, namespace, name, subresource };
}

/** The storage ref of a named object. */
export function refOfPath(path: ResourcePath, name: string): ObjectRef {
  return { resource: resourceKey(path.kind), namespace: path.kind.namespaced ? (path.namespace ?? "") : "", name };
}
