/**
 * @module
 * How the front names storage: an object store per (resource, namespace,
 * name) and a collection store per resource.
 */

/** Identifies one stored object. `namespace` is "" for cluster-scoped kinds. */
export interface ObjectRef {
  /** Registry key of the resource, e.g. "/pods" or "kubevirt.io/virtualmachines". */
  resource: string;
  namespace: string;
  name: string;
}

/** The Durable Object name of an object store. */
export function objectStoreName(ref: ObjectRef): string {
  return `${ref.resource}/${ref.namespace}/${ref.name}`;
}
