/**
 * @module
 * A `ResourceKind` is the registry entry that drives the one generic REST
 * handler set, the storage objects, discovery, OpenAPI and Table output.
 * Behaviour that differs per kind lives in the hooks here, never in copies of
 * the REST verbs.
 */
import type { z } from "zod";
import type { StatusCause } from "./errors";
import type { KubeObject } from "./object";

/** meta.k8s.io/v1 TableColumnDefinition. */
export interface TableColumnDefinition {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  /** 0 = always shown; 1 = only with `-o wide`. */
  priority: number;
}

/** A table cell: what upstream's printers put in `rows[].cells`. */
export type TableCell = string | number | boolean | null;

/** Server-side printing for `kubectl get` (meta.k8s.io/v1 Table). */
export interface Printer {
  columns: TableColumnDefinition[];
  /** One cell per column, in order. `now` makes ages testable. */
  cells(obj: KubeObject, now: Date): TableCell[];
}

/** Where the scale subresource reads and writes replicas (as a CRD's scale spec). */
export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath: string;
}

/** Merge-key metadata for strategic merge patch: path pattern → list strategy. */
export interface PatchMetaEntry {
  /** "merge" lists are merged by `mergeKey`; "replace" lists (the default) are replaced whole. */
  strategy: "merge" | "replace";
  /** Field naming each element of a merged list of objects; absent for lists of primitives. */
  mergeKey?: string;
}

/**
 * Patch metadata for one kind. Keys are dotted paths from the object root with
 * `[]` marking list elements, e.g. `spec.containers`, `spec.containers[].env`,
 * `spec.template.spec.containers[].ports`.
 */
export type PatchMeta = Record<string, PatchMetaEntry>;

/** Everything the server needs to know about one kind. */
export interface ResourceKind {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Plural, lower case: the resource name in URLs (`pods`). */
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  /** zod schema of the whole object (stripping unknown fields). */
  schema: z.ZodType;
  /** Fills defaults in place, as upstream's defaulters (after decoding). */
  applyDefaults(obj: KubeObject): void;
  /** Semantic validation beyond the schema; `old` is set on updates. */
  validate(obj: KubeObject, old?: KubeObject): StatusCause[];
  /** Strategic merge patch support: its merge keys, or undefined → 415 like CRDs. */
  patchMeta?: PatchMeta;
  /** Table printer for `kubectl get`. */
  printer: Printer;
  /** Extra field selectors beyond metadata.name / metadata.namespace. */
  fieldSelectors: Record<string, (obj: KubeObject) => string | undefined>;
  /** The scale subresource, when the kind has one. */
  scale?: ScaleSpec;
  /** The `binding` subresource (pods: the scheduler's create-only Binding). */
  binding?: boolean;
  /** The `eviction` subresource (pods: the create-only policy/v1 Eviction). */
  eviction?: boolean;
  /** The `token` subresource (serviceaccounts: the create-only authentication.k8s.io/v1 TokenRequest). */
  tokenRequest?: boolean;
  /** False when the kind has no deletecollection verb (namespaces, as upstream: 405 MethodNotAllowed). */
  deleteCollection?: boolean;
  /** Graceful deletion period in seconds (pods); undefined or 0 deletes at once. */
  gracePeriodSeconds?(obj: KubeObject, requested: number | undefined): number;
  /** The status an object starts with (upstream's PrepareForCreate); none when absent. */
  initialStatus?(obj: KubeObject): unknown;
  /** The node a workload (pod, VMI) is bound to, "" while unbound; absent for kinds never bound. */
  boundNode?(obj: KubeObject): string;
  /** Whether a workload reached a phase it never leaves (Succeeded, Failed). */
  isTerminal?(obj: KubeObject): boolean;
  /**
   * The object bound to `node` at time `stamp` (a Pod's `pods/binding`, a VMI's scheduling), or an
   * ApiError thrown when it cannot be; absent for kinds that are never bound.
   */
  bind?(obj: KubeObject, node: string, stamp: string): KubeObject;
  /**
   * True for a kind kept in its collection alone (Events): many objects to one
   * Durable Object, written there in one transaction, with no object store of
   * their own, as upstream often gives Events an etcd of their own. For kinds
   * that are written often, read rarely, and need no alarm (graceful deletion,
   * cleanup) and no server facts.
   */
  collectionResident?: boolean;
}

/** `apiVersion` for a kind: "v1" for the core group, else "group/version". */
export function apiVersionOf(k: Pick<ResourceKind, "group" | "version">): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}
