/**
 * @module
 * The rules that turn a request and the stored object into the next stored
 * object: upstream's rest.BeforeCreate / BeforeUpdate / BeforeDelete, kept
 * pure so the object store only orchestrates. Every function here either
 * returns the next state or throws an ApiError; none touches storage.
 */
import { invalid, type ResourceRef } from "../../shared/k8s/errors";
import { deepCopy, type Json, type KubeObject } from "../../shared/k8s/object";
import { jsonEqual } from "../../shared/k8s/json-value";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { forbidden as forbiddenCause } from "../../shared/k8s/validation";
import { decodeObject } from "../../shared/schemas/decode";
import { formatTime } from "../../shared/k8s/time";
import { checkResourceVersion } from "./preconditions";

/** The GroupResource an error message names. */
export function refOf(kind: ResourceKind): ResourceRef {
  return { group: kind.group, resource: kind.plural };
}

/** Decoding options from the request. */
export interface DecodeOptions {
  strict: boolean;
}

function decode(kind: ResourceKind, input: unknown, opts: DecodeOptions, name: string): KubeObject {
  return decodeObject(input, kind, { strict: opts.strict, name });
}

function assertValid(kind: ResourceKind, obj: KubeObject, old?: KubeObject): void {
  const causes = kind.validate(obj, old);
  if (causes.length > 0) throw invalid(kind.kind, obj.metadata.name ?? "", causes, kind.group);
}

/** BeforeCreate: decode, set server-owned metadata, reset status, default, validate. */
export function prepareCreate(
  kind: ResourceKind,
  input: unknown,
  opts: DecodeOptions & { name: string; namespace: string; uid: string; now: number },
): KubeObject {
  const obj = decode(kind, input, opts, opts.name);
  const meta = obj.metadata;
  meta.name = opts.name;
  if (kind.namespaced) meta.namespace = opts.namespace;
  else delete meta.namespace;
  meta.uid = opts.uid;
  meta.creationTimestamp = formatTime(opts.now);
  meta.generation = 1;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.managedFields;
  kind.applyDefaults(obj);
  const status = kind.initialStatus?.(obj);
  if (status === undefined) delete obj.status;
  else obj.status = status;
  assertValid(kind, obj);
  return obj;
}

/** `obj` without what a write does not change by itself (resourceVersion, managedFields); shares the rest. */
function withoutVersion(obj: KubeObject): Json {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = obj.metadata;
  return { ...obj, metadata: meta } as unknown as Json;
}

/**
 * True when two objects differ outside metadata.resourceVersion and
 * managedFields: compared in place (key order does not matter), without
 * copying or serialising either — this runs on every write.
 */
export function changed(a: KubeObject, b: KubeObject): boolean {
  return !jsonEqual(withoutVersion(a), withoutVersion(b));
}

/**
 * A deep copy of `obj` that shares its managedFields instead of copying
 * them: they are about as large as the rest of the object, and are only ever
 * replaced, never changed in place (workers/objects/field-tracking.ts).
 */
export function copyWithoutManagedFields(obj: KubeObject): KubeObject {
  const { managedFields, ...meta } = obj.metadata;
  const copy = deepCopy({ ...obj, metadata: meta });
  if (managedFields !== undefined) copy.metadata.managedFields = managedFields;
  return copy;
}

/** Everything but metadata and status: what a generation bump is judged on. */
function specOf(obj: KubeObject): Json {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest as unknown as Json;
}

/**
 * BeforeUpdate for the main resource or `/status`. The main resource keeps the
 * stored status; `/status` keeps everything but status (invariant 4).
 */
export function prepareUpdate(
  kind: ResourceKind,
  old: KubeObject,
  input: unknown,
  opts: DecodeOptions & { subresource: "" | "status" },
): KubeObject {
  const name = old.metadata.name ?? "";
  const decoded = decode(kind, input, opts, name);
  checkResourceVersion(refOf(kind), old, decoded.metadata.resourceVersion);
  let next: KubeObject;
  if (opts.subresource === "status") {
    next = copyWithoutManagedFields(old);
    if (decoded.status === undefined) delete next.status;
    else next.status = decoded.status;
  } else {
    next = decoded;
    const meta = next.metadata;
    const was = old.metadata;
    meta.name = was.name;
    if (kind.namespaced) meta.namespace = was.namespace;
    else delete meta.namespace;
    meta.uid = was.uid;
    meta.creationTimestamp = was.creationTimestamp;
    meta.generation = was.generation;
    if (was.deletionTimestamp) meta.deletionTimestamp = was.deletionTimestamp;
    else delete meta.deletionTimestamp;
    if (was.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = was.deletionGracePeriodSeconds;
    else delete meta.deletionGracePeriodSeconds;
    delete meta.managedFields;
    if (old.status === undefined) delete next.status;
    else next.status = deepCopy(old.status);
    kind.applyDefaults(next);
    if (was.deletionTimestamp) {
      const before = new Set(was.finalizers ?? []);
      const added = (meta.finalizers ?? []).filter((f) => !before.has(f));
      if (added.length > 0) {
        throw invalid(kind.kind, name, [
          forbiddenCause("metadata.finalizers", "no new finalizers can be added if the object is being deleted"),
        ], kind.group);
      }
    }
    if (!jsonEqual(specOf(next), specOf(old))) next.metadata.generation = (was.generation ?? 1) + 1;
  }
  next.metadata.resourceVersion = old.metadata.resourceVersion;
  assertValid(kind, next, old);
  return next;
}
