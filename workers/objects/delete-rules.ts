/**
 * @module
 * Deletion as upstream's rest.BeforeDelete and the registry store's
 * finalizer handling: graceful deletion sets deletionTimestamp and
 * deletionGracePeriodSeconds and bumps generation; finalizers hold the object
 * until an update empties them; propagationPolicy Orphan/Foreground is
 * recorded as the `orphan` / `foregroundDeletion` finalizer for the garbage
 * collector.
 */
import { ApiError, invalid } from "../../shared/k8s/errors";
import { deadlineAfter, secondsUntil } from "../../shared/k8s/deadline";
import { deepCopy, type KubeObject } from "../../shared/k8s/object";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { notSupported } from "../../shared/k8s/validation";
import { refOf } from "./write-rules";
import { checkPreconditions, type Preconditions } from "./preconditions";
import { formatTime } from "../../shared/k8s/time";

/** metav1.DeleteOptions, as far as the server interprets them. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: Preconditions;
}

/** The next state of a delete: still present (held) or gone. */
export type DeleteResult = { type: "MODIFIED" | "DELETED"; object: KubeObject };

const POLICY_FINALIZER: Record<string, string> = { Orphan: "orphan", Foreground: "foregroundDeletion" };

/** Whether anything still holds a deleting object (finalizers, namespace spec finalizers). */
export function isHeld(obj: KubeObject): boolean {
  if ((obj.metadata.finalizers ?? []).length > 0) return true;
  if (obj.kind === "Namespace") {
    const spec = obj.spec as { finalizers?: string[] } | undefined;
    return (spec?.finalizers ?? []).length > 0;
  }
  return false;
}

/** Whether a deleting object's grace period has run out at `now`. */
export function graceElapsed(obj: KubeObject, now: number): boolean {
  const at = obj.metadata.deletionTimestamp;
  return at === undefined || Date.parse(at) <= now;
}

/** When a deleting object is neither held nor within its grace period, it is removed. */
export function shouldRemove(obj: KubeObject, now: number): boolean {
  return obj.metadata.deletionTimestamp !== undefined && !isHeld(obj) && graceElapsed(obj, now);
}

function policyOf(kind: ResourceKind, obj: KubeObject, opts: DeleteOptions): string | undefined {
  if (opts.propagationPolicy !== undefined) {
    if (!["Orphan", "Background", "Foreground"].includes(opts.propagationPolicy)) {
      throw invalid(kind.kind, obj.metadata.name ?? "", [
        notSupported("propagationPolicy", opts.propagationPolicy, ["Foreground", "Background", "Orphan"]),
      ], kind.group);
    }
    if (opts.orphanDependents !== undefined) {
      throw invalid(kind.kind, obj.metadata.name ?? "", [
        { reason: "FieldValueInvalid", field: "orphanDependents", message: 'Invalid value: "orphanDependents": orphanDependents and propagationPolicy cannot be both set' },
      ], kind.group);
    }
    return opts.propagationPolicy;
  }
  if (opts.orphanDependents === true) return "Orphan";
  return undefined;
}

/**
 * The grace period a delete gets: the kind's rule (a pod's own
 * terminationGracePeriodSeconds, 0 when unscheduled …) given the requested
 * one. Negative values, requested or from the object, count as 1 second, as
 * upstream's rest.BeforeDelete and the pod strategy's CheckGracefulDelete
 * treat them; there is no upper bound (upstream's is int64's).
 */
function gracePeriod(kind: ResourceKind, obj: KubeObject, requested: number | undefined): number {
  const clamped = requested !== undefined && requested < 0 ? 1 : requested;
  const grace = kind.gracePeriodSeconds?.(obj, clamped) ?? 0;
  return grace < 0 ? 1 : grace;
}

/** BeforeDelete: the state a DELETE leads to. */
export function prepareDelete(kind: ResourceKind, old: KubeObject, opts: DeleteOptions, now: number): DeleteResult {
  checkPreconditions(refOf(kind), old, opts.preconditions);
  if (opts.gracePeriodSeconds !== undefined && !Number.isInteger(opts.gracePeriodSeconds)) {
    throw new ApiError(400, "BadRequest", `gracePeriodSeconds must be an integer, got ${opts.gracePeriodSeconds}`);
  }
  const next = deepCopy(old);
  const meta = next.metadata;
  const policy = policyOf(kind, old, opts);
  const finalizer = policy ? POLICY_FINALIZER[policy] : undefined;
  if (finalizer && !(meta.finalizers ?? []).includes(finalizer) && !meta.deletionTimestamp) {
    meta.finalizers = [...(meta.finalizers ?? []), finalizer];
  }
  if (kind.kind === "Namespace" && !meta.deletionTimestamp) {
    next.status = { ...(next.status as object | undefined), phase: "Terminating" };
  }
  const grace = gracePeriod(kind, old, opts.gracePeriodSeconds);
  if (meta.deletionTimestamp) {
    // Already deleting: a delete may only shorten the grace period.
    const remaining = secondsUntil(Date.parse(meta.deletionTimestamp), now);
    if (grace < remaining) {
      meta.deletionTimestamp = formatTime(deadlineAfter(now, grace));
      meta.deletionGracePeriodSeconds = grace;
    }
  } else {
    // Grace periods are int64 upstream: a huge one saturates at the year 9999 instead of throwing (shared/k8s/deadline.ts).
    meta.deletionTimestamp = formatTime(deadlineAfter(now, grace));
    meta.deletionGracePeriodSeconds = grace;
    meta.generation = (meta.generation ?? 1) + 1;
  }
  if (shouldRemove(next, now)) return { type: "DELETED", object: next };
  return { type: "MODIFIED", object: next };
}
