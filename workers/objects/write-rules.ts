/**
 * @module
 * The rules that turn a request and the stored object into the next stored
 * object: upstream's rest.BeforeCreate / BeforeUpdate / BeforeDelete, kept
 * pure so the object store only orchestrates. Every function here either
 * returns the next state or throws an ApiError; none touches storage.
 */
import { invalid, type ResourceRef } from "../../shared/k8s/errors";
import { deepCopy, type KubeObject } from "../../shared/k8s/object";
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

/** True when two objects differ outside metadata.resourceVersion. */
export function changed(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): string => {
    const c = deepCopy(o);
    delete c.metadata.resourceVersion;
    delete c.metadata.managedFields;
    return JSON.stringify(sortKeys(c));
  };
  return strip(a) !== strip(b);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** Everything but metadata and status: what a generation bump is judged on. */
function specOf(obj: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = obj;
  return JSON.stringify(sortKeys(rest));
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
    next = deepCopy(old);
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
    if (specOf(next) !== specOf(old)) next.metadata.generation = (was.generation ?? 1) + 1;
  }
  next.metadata.resourceVersion = old.metadata.resourceVersion;
  assertValid(kind, next, old);
  return next;
}
