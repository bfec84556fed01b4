/**
 * @module
 * The garbage collector (kube-controller-manager's garbagecollector), one
 * owner per key. It has no dependency graph: each pass lists the objects of
 * the dependent kinds in the owner's namespace and picks those whose
 * ownerReferences name the owner's uid. Then, by the owner's state:
 * - gone (Background): each dependent with no other live owner is deleted;
 *   one that still has a live owner only loses the reference
 *   (attemptToDeleteItem);
 * - held by `orphan`: the reference is removed from every dependent, then
 *   the finalizer (attemptToOrphan / orphanDependents);
 * - held by `foregroundDeletion`: dependents are deleted as above, and the
 *   finalizer goes once no dependent with blockOwnerDeletion remains
 *   (processDeletingDependentsItem); until then the key is requeued.
 * Every write is guarded by uid and resourceVersion and decided again on a
 * conflict, so a pass is safe to repeat and to resume after a crash.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { findObject } from "../../objects/client";
import { kindByResource } from "../../registry";
import {
  backgroundDelete, type Item, listItems, type OwnerState, OwnerStates, refTo, stateOf, withoutFinalizer, withoutOwners,
  writeFresh,
} from "./garbage-collector-operations";
import { mapAllBounded } from "../../bounded";
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type ReconcileKey } from "../runtime/keys";
import { isDeleting } from "../shared/object-fields";
import type { ReconcileResult } from "../runtime/reconciler";

/** Dependents handled at once (bounded, like upstream's worker count). */
const PARALLEL = 16;
/** A foreground owner waits this long between passes for dependents held by finalizers. */
const HELD_POLL_SECONDS = 5;
/** …and at most this long for dependents still within their grace period. */
const MAX_WAIT_SECONDS = 30;

/**
 * attemptToDeleteItem for one dependent of a gone or foreground-deleting
 * owner: nothing while it is already deleting; with another solid owner,
 * drop only the references to dangling and waiting owners; otherwise delete
 * it in the background. Returns its latest state, undefined once gone.
 */
async function attemptToDelete(env: Env, states: OwnerStates, item: Item): Promise<KubeObject | undefined> {
  return writeFresh(env, item.resource, item.object, async (latest) => {
    if (isDeleting(latest)) return undefined;
    const namespace = latest.metadata.namespace ?? "";
    const refs = latest.metadata.ownerReferences ?? [];
    const classified = await Promise.all(refs.map(async (ref) => ({ ref, state: await states.of(ref, namespace) })));
    const stale = classified.filter((c) => c.state !== "solid");
    if (stale.length === 0) return undefined;
    if (stale.length < classified.length) return withoutOwners(latest, new Set(stale.map((c) => c.ref.uid)));
    return backgroundDelete(latest);
  });
}

/** Removes one finalizer from the owner, if it still carries it. */
async function removeFinalizer(env: Env, resource: string, owner: KubeObject, finalizer: string): Promise<void> {
  await writeFresh(env, resource, owner, async (latest) =>
    (latest.metadata.finalizers ?? []).includes(finalizer) ? withoutFinalizer(latest, finalizer) : undefined);
}

/** Seconds until the earliest blocking dependent's grace period ends; a fixed poll when finalizers hold them. */
export function foregroundWaitSeconds(blocking: readonly KubeObject[], now: number): number {
  const ends = blocking
    .map((o) => Date.parse(o.metadata.deletionTimestamp ?? ""))
    .filter((t) => Number.isFinite(t) && t > now);
  if (ends.length === 0) return HELD_POLL_SECONDS;
  return Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil((Math.min(...ends) - now) / 1000) + 1));
}

async function readOwner(env: Env, resource: string, key: ReconcileKey): Promise<KubeObject | undefined> {
  const owner = await findObject(env, { resource, namespace: key.namespace, name: key.name });
  // The same name with another uid is a new object: the keyed owner is gone.
  return owner?.metadata.uid === key.uid ? owner : undefined;
}

/** One garbage collector pass for the owner a `garbagecollector` key names (uid and resource). */
export async function reconcileGarbage(env: Env, key: ReconcileKey): Promise<ReconcileResult> {
  const uid = key.uid ?? "";
  const ownerKind = kindByResource(key.resource ?? "");
  if (!ownerKind || uid === "") {
    console.error(`garbage collector key without a served owner: ${JSON.stringify(key)}`);
    return {};
  }
  const resource = key.resource ?? "";
  const owner = await readOwner(env, resource, key);
  const finalizers = owner?.metadata.finalizers ?? [];
  const orphaning = finalizers.includes(ORPHAN_FINALIZER);
  const foreground = finalizers.includes(FOREGROUND_FINALIZER);
  // A live owner, or one whose deletion other finalizers hold, keeps its dependents.
  if (owner && !(isDeleting(owner) && (orphaning || foreground))) return {};

  // Owners and dependents share a namespace here; a cluster-scoped owner's dependents may be in any.
  const items = await listItems(env, ownerKind.namespaced ? key.namespace : undefined);
  const dependents = items.filter((i) => refTo(i.object, uid) !== undefined);

  if (owner && orphaning) {
    // One policy per pass: dropping `orphan` is a change of the owner, whose commit
    // enqueues the next pass if `foregroundDeletion` is still there.
    const drop = new Set([uid]);
    await mapAllBounded(dependents, PARALLEL, (d) =>
      writeFresh(env, d.resource, d.object, async (latest) => (refTo(latest, uid) ? withoutOwners(latest, drop) : undefined)));
    await removeFinalizer(env, resource, owner, ORPHAN_FINALIZER);
    return {};
  }

  const seed: Record<string, OwnerState> = { [uid]: stateOf(owner, uid) };
  const states = new OwnerStates(env, items, seed);
  const after = await mapAllBounded(dependents, PARALLEL, (d) => attemptToDelete(env, states, d));
  if (!owner) return {};

  const blocking = after.filter((o): o is KubeObject => o !== undefined && refTo(o, uid)?.blockOwnerDeletion === true);
  if (blocking.length > 0) return { requeueAfterSeconds: foregroundWaitSeconds(blocking, Date.now()) };
  await removeFinalizer(env, resource, owner, FOREGROUND_FINALIZER);
  return {};
}
