/**
 * @module
 * The replica core shared by ReplicaSet (Pods) and VMIRS (VMIs): claim the
 * children, compare desired with actual, decide what to create and delete.
 * Pure: the executor performs the writes. Mirrors upstream
 * `pkg/controller/replicaset/replica_set.go`, `controller_ref_manager.go` and
 * KubeVirt `watch/replicaset/replicaset.go`.
 */
import type { Selector } from "../../../shared/k8s/labels";
import type { KubeObject, OwnerReference } from "../../../shared/k8s/object";
import type { ChildPolicy } from "./child-policy";
import { isDeleting } from "../shared/object-fields";

/** `replicaset.BurstReplicas`: at most this many pod creates or deletes per sync. */
export const REPLICASET_BURST_REPLICAS = 500;
/** KubeVirt's VMIRS burst: at most this many VMI creates or deletes per sync. */
export const VMIRS_BURST_REPLICAS = 250;
/** `controller.SlowStartInitialBatchSize`. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/** `metav1.GetControllerOf`: the first owner reference with `controller: true`. */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/**
 * `metav1.NewControllerRef`: the owner reference a controller sets on the
 * children it creates or adopts (controller and blockOwnerDeletion true).
 */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? "",
    uid: owner.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The outcome of `claimChildren`. */
export interface ClaimResult {
  /** Children the owner controls and whose labels still match. */
  owned: KubeObject[];
  /** Matching orphans to adopt (patch in `newControllerRef(owner)` with a `metadata.uid` precondition). */
  adopt: KubeObject[];
  /** Controlled children that no longer match: release (`{"$patch":"delete","uid":…}` on the ownerRef). */
  release: KubeObject[];
  /** `owned` and `adopt` in input order: what `ClaimPods` returns when every adoption succeeds. */
  claimed: KubeObject[];
}

/**
 * `BaseControllerRefManager.ClaimObject` over a list (`ClaimPods`,
 * `ClaimVirtualMachineInstances`). Only controller references count; a child
 * controlled by another owner is ignored. Nothing is adopted or released while
 * the owner is being deleted, orphans being deleted or in another namespace
 * are not adopted. The executor drops an adoption that fails with NotFound.
 * @example claimChildren(rs, pods, labelSelectorFromObject(rs.spec.selector)).claimed
 */
export function claimChildren(owner: KubeObject, children: readonly KubeObject[], selector: Pick<Selector, "matches">): ClaimResult {
  const result: ClaimResult = { owned: [], adopt: [], release: [], claimed: [] };
  const ownerDeleting = isDeleting(owner);
  const ownerNamespace = owner.metadata.namespace ?? "";
  for (const child of children) {
    const ref = getControllerOf(child);
    const matches = selector.matches(child.metadata.labels);
    if (ref !== undefined) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches) {
        // Keeping what we already own needs no write, so it is allowed even while deleting.
        result.owned.push(child);
        result.claimed.push(child);
      } else if (!ownerDeleting) {
        result.release.push(child);
      }
      continue;
    }
    if (ownerDeleting || !matches || isDeleting(child)) continue;
    if (ownerNamespace !== "" && ownerNamespace !== (child.metadata.namespace ?? "")) continue;
    result.adopt.push(child);
    result.claimed.push(child);
  }
  return result;
}

/** What `manageReplicas` decided. */
export interface ReplicaDecision {
  /** How many children to create from the template (run through `slowStartBatches` for Pods). */
  create: number;
  /** Children to delete, in deletion order. */
  delete: KubeObject[];
}

/** Input of `manageReplicas`. */
export interface ManageReplicasInput {
  /** `spec.replicas` (see `desiredReplicas`). */
  replicas: number;
  /** The claimed, active children. */
  active: readonly KubeObject[];
  /**
   * `getIndirectlyRelatedPods`: the children of every set sharing this set's
   * controller (a Deployment), this set included, for co-location ranks.
   * Defaults to none, as upstream has for a set without a controller, where
   * co-location then never decides.
   */
  related?: readonly KubeObject[];
  /** `REPLICASET_BURST_REPLICAS` or `VMIRS_BURST_REPLICAS`. */
  burstReplicas: number;
  now: Date;
}

/**
 * `ReplicaSetController.manageReplicas` / KubeVirt `Controller.scale`: the
 * diff between active children and `replicas`, capped at `burstReplicas`.
 * Scale-down picks `getPodsToDelete`: ranked only when not all go.
 */
export function manageReplicas(policy: ChildPolicy, input: ManageReplicasInput): ReplicaDecision {
  const diff = input.active.length - input.replicas;
  if (diff < 0) return { create: Math.min(-diff, input.burstReplicas), delete: [] };
  if (diff === 0) return { create: 0, delete: [] };
  const n = Math.min(diff, input.burstReplicas);
  const ordered =
    n < input.active.length ? policy.rankForDeletion(input.active, input.related ?? [], input.now) : [...input.active];
  return { create: 0, delete: ordered.slice(0, n) };
}

/**
 * KubeVirt `cleanFinishedVmis`: the finished children to delete (so that
 * replacements come in the next pass), at most `burstReplicas`, in list order.
 * KubeVirt runs it only after a successful scale and never while paused.
 */
export function finishedToDelete(policy: ChildPolicy, children: readonly KubeObject[], burstReplicas: number): KubeObject[] {
  return children.filter((c) => policy.isFinished(c)).slice(0, burstReplicas);
}

/**
 * The batch sizes of `slowStartBatch`: `initialBatchSize`, then doubling,
 * the last one cut to what remains, summing to `count`.
 * The executor runs each batch in parallel and stops after the first batch
 * with a failure; the skipped creates are simply left for the next sync.
 * @example slowStartBatches(10) // [1, 2, 4, 3]
 */
export function slowStartBatches(count: number, initialBatchSize = SLOW_START_INITIAL_BATCH_SIZE): number[] {
  const batches: number[] = [];
  let remaining = count;
  for (let size = Math.min(remaining, initialBatchSize); size > 0; size = Math.min(2 * size, remaining)) {
    batches.push(size);
    remaining -= size;
  }
  return batches;
}
