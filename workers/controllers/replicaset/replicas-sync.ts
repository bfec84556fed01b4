/**
 * @module
 * The one reconcile loop ReplicaSet and VMIRS share (the seed's
 * `sync(key)`: desired ← spec, actual ← owned children, delta, act):
 * get the owner → claim children by selector and ownerReferences → delete
 * finished children → create or delete the difference → calculate status
 * → write status only if it changed. It reads children straight from the
 * collection store, which already holds every acknowledged write, and one
 * key runs at a time (Reconciler), so no expectations cache is needed to
 * avoid over-creating; a crash mid-way is repaired by the redelivery.
 */
import { labelSelectorFromObject, type LabelSelector, nothing, type Selector as LabelSelectorMatcher } from "../../../shared/k8s/labels";
import { isJsonObject, type Json, type KubeObject } from "../../../shared/k8s/object";
import type { ResourceKind } from "../../../shared/k8s/resource-kind";
import { findObject, writeObject } from "../../objects/client";
import { createObject } from "../../objects/create";
import { kindByResource, resourceKey } from "../../registry";
import { childEvents } from "./child-events";
import type { ChildPolicy } from "./child-policy";
import { runBounded } from "../../bounded";
import { recordEvent } from "../shared/events";
import type { ReconcileKey } from "../runtime/keys";
import type { ReconcileResult } from "../runtime/reconciler";
import { claimChildren, finishedToDelete, manageReplicas, newControllerRef, slowStartBatches } from "./replicas";
import { statusEqual } from "../shared/status-equal";
import { desiredReplicas, isDeleting, specOf } from "../shared/object-fields";
import { isNotFound, isConflict, isStale } from "../../client/errors";
import { patchGuarded } from "../../client/patch-guarded";
import { sharedListAll } from "../../client/list-cache";

/**
 * Child writes in flight at once. Upstream's are bounded too, by the client's
 * rate limiter (kube-controller-manager's --kube-api-qps), and a slow-start
 * batch runs all of its creates at once. 16 was enough while each worker of
 * the pool waited for a loop turn of its own (bounded.ts); since they share
 * one, 48 brought a fleet of 2,000 objects from 39–41 s to 36 s on two cores
 * (bench/README, fleet), and a VMIRS of 1,000 converges at 0.8× its floor.
 */
export const WRITE_PARALLELISM = 48;

/** Runs `write` on every item, WRITE_PARALLELISM at a time; once all have run, rethrows the first error. */
async function writeEach<T>(items: readonly T[], write: (item: T) => Promise<void>): Promise<void> {
  const errors = await runBounded(items.map((item) => () => write(item)), WRITE_PARALLELISM);
  if (errors.length > 0) throw errors[0];
}

/** What differs between ReplicaSet and VMIRS. */
export interface ReplicasController {
  owner: string;
  child: string;
  policy: ChildPolicy;
  burstReplicas: number;
  /** ReplicaSet creates in slow-start batches; KubeVirt's VMIRS all at once. */
  slowStart: boolean;
  template(owner: KubeObject): KubeObject;
  /**
   * Names for `count` new children when the kind names them itself (a
   * VirtualMachinePool's `<pool>-<index>`); without it children get the
   * template's generateName. `children` are all listed in the namespace.
   */
  childNames?(owner: KubeObject, children: readonly KubeObject[], count: number): string[];
  paused(owner: KubeObject): boolean;
  calculateStatus(owner: KubeObject, active: KubeObject[], owned: KubeObject[], now: Date, err?: string): object;
  requeueAfter?(owner: KubeObject, status: object, active: KubeObject[], now: Date): number | undefined;
}

function kind(resource: string): ResourceKind {
  const k = kindByResource(resource);
  if (!k) throw new Error(`unknown resource ${resource}`);
  return k;
}

/** A JSON patch guarded by the child's uid and resourceVersion (upstream adopts with a uid precondition). */
async function patchChild(env: Env, resource: string, child: KubeObject, ops: Json[]): Promise<boolean> {
  try {
    await patchGuarded(env, resource, child, ops);
    return true;
  } catch (err) {
    // Changed or gone since we listed it: the next reconcile sees its new state.
    if (isStale(err)) return false;
    throw err;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Deletes one child and records it on the owner (RealPodControl.DeletePod); one already gone records nothing. */
async function deleteChild(env: Env, c: ReplicasController, owner: KubeObject, child: KubeObject, finished = false): Promise<void> {
  const events = childEvents(c.child);
  try {
    await writeObject(env, { resource: c.child, namespace: child.metadata.namespace ?? "", name: child.metadata.name ?? "" }, {
      verb: "delete", options: { preconditions: { uid: child.metadata.uid ?? "" } },
    });
  } catch (err) {
    if (isNotFound(err) || isConflict(err)) return;
    await recordEvent(env, owner, "Warning", "FailedDelete", events.failedDelete(child, errorText(err)), events.component);
    throw err;
  }
  const message = finished ? events.deletedFinished(child) : events.deleted(child);
  await recordEvent(env, owner, "Normal", "SuccessfulDelete", message, events.component);
}

/** Creates `count` children; slow start stops at the first failed batch, as upstream's slowStartBatch. */
async function createChildren(
  env: Env, c: ReplicasController, owner: KubeObject, count: number, children: readonly KubeObject[],
): Promise<string | undefined> {
  const childKind = kind(c.child);
  const events = childEvents(c.child);
  const batches = c.slowStart ? slowStartBatches(count) : [count];
  const names = c.childNames?.(owner, children, count) ?? [];
  const create = async (): Promise<void> => {
    const child = c.template(owner);
    const name = names.shift();
    const target = name !== undefined ? { name } : { generateName: child.metadata.generateName ?? "" };
    if (name !== undefined) child.metadata.name = name;
    try {
      const written = await createObject(env, { kind: childKind, namespace: owner.metadata.namespace ?? "", ...target }, child as unknown as Json);
      await recordEvent(env, owner, "Normal", "SuccessfulCreate", events.created(written.object), events.component);
    } catch (err) {
      await recordEvent(env, owner, "Warning", "FailedCreate", events.failedCreate(errorText(err)), events.component);
      throw err;
    }
  };
  for (const size of batches) {
    const [failed] = await runBounded(Array.from({ length: size }, () => create), WRITE_PARALLELISM);
    if (failed !== undefined) return errorText(failed);
  }
  return undefined;
}

/**
 * `ClaimPods` / `ClaimReplicaSets` with the writes: adopts matching orphans
 * and releases controlled children that stopped matching (each write guarded
 * by the child's uid and resourceVersion; a lost race is left to the next
 * pass), and answers the children the owner now controls.
 */
export async function claimAndAdopt(
  env: Env, resource: string, owner: KubeObject, children: readonly KubeObject[], selector: Pick<LabelSelectorMatcher, "matches">,
): Promise<KubeObject[]> {
  const claim = claimChildren(owner, children, selector);
  const ref = newControllerRef(owner);
  const won = new Set<KubeObject>();
  await writeEach(claim.adopt, async (child) => {
    const refs = [...(child.metadata.ownerReferences ?? []), ref];
    if (await patchChild(env, resource, child, [{ op: "add", path: "/metadata/ownerReferences", value: refs as unknown as Json }])) {
      won.add(child);
    }
  });
  const adopted = claim.adopt.filter((child) => won.has(child));
  await writeEach(claim.release, async (child) => {
    const refs = (child.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
    await patchChild(env, resource, child, [{ op: "replace", path: "/metadata/ownerReferences", value: refs as unknown as Json }]);
  });
  return [...claim.owned, ...adopted];
}

/** One reconcile of a ReplicaSet or VMIRS. */
export async function syncReplicas(env: Env, c: ReplicasController, key: ReconcileKey): Promise<ReconcileResult> {
  const owner = await findObject(env, { resource: c.owner, namespace: key.namespace, name: key.name });
  if (!owner) return {};
  const now = new Date();
  const selectorSpec = specOf(owner).selector;
  let selector = nothing();
  try {
    if (isJsonObject(selectorSpec)) selector = labelSelectorFromObject(selectorSpec as LabelSelector);
  } catch {
    // An invalid selector matches nothing (upstream logs and skips the sync).
  }
  const children = await sharedListAll(env, { resource: c.child, namespace: key.namespace });
  const owned = await claimAndAdopt(env, c.child, owner, children, selector);
  let manageError: string | undefined;
  const finished = finishedToDelete(c.policy, owned, c.burstReplicas);
  await writeEach(finished, (child) => deleteChild(env, c, owner, child, true));
  const gone = new Set(finished.map((f) => f.metadata.uid));
  const active = owned.filter((o) => !gone.has(o.metadata.uid) && c.policy.isActive(o));
  if (!isDeleting(owner) && !c.paused(owner)) {
    const decision = manageReplicas(c.policy, { replicas: desiredReplicas(owner), active, burstReplicas: c.burstReplicas, now });
    if (decision.create > 0) manageError = await createChildren(env, c, owner, decision.create, children);
    try {
      await writeEach(decision.delete, (child) => deleteChild(env, c, owner, child));
    } catch (err) {
      manageError ??= errorText(err);
    }
  }
  const status = c.calculateStatus(owner, active, owned, now, manageError);
  if (!statusEqual(owner.status ?? {}, status)) {
    try {
      await writeObject(env, { resource: c.owner, namespace: key.namespace, name: key.name }, {
        verb: "patch", patchType: "merge", subresource: "status", patch: { status: status as unknown as Json },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  if (manageError) throw new Error(`manageReplicas for ${key.namespace}/${key.name}: ${manageError}`);
  const requeue = c.requeueAfter?.(owner, status, active, now);
  return requeue !== undefined ? { requeueAfterSeconds: requeue } : {};
}

/** Registry keys the shared core works on. */
export const RESOURCES = {
  pods: resourceKey({ group: "", plural: "pods" }),
  replicasets: resourceKey({ group: "apps", plural: "replicasets" }),
  vmis: resourceKey({ group: "kubevirt.io", plural: "virtualmachineinstances" }),
  vmirs: resourceKey({ group: "kubevirt.io", plural: "virtualmachineinstancereplicasets" }),
  vms: resourceKey({ group: "kubevirt.io", plural: "virtualmachines" }),
  vmpools: resourceKey({ group: "pool.kubevirt.io", plural: "virtualmachinepools" }),
} as const;
