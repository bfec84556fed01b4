/**
 * @module
 * What the shared replica core needs to know about a child kind. ReplicaSet
 * manages Pods and VMIRS manages VMIs with the same loop (desired ← spec,
 * actual ← owned children, delta, act); only these questions differ.
 */
import type { KubeObject } from "../../../shared/k8s/object";

/** The per-kind answers the replica core asks of Pods (`podPolicy`) or VMIs (`vmiPolicy`). */
export interface ChildPolicy {
  /** Counts toward `status.replicas` and the diff: `controller.IsPodActive` / KubeVirt `filterActiveVMIs`. */
  isActive(child: KubeObject): boolean;
  /** The Ready condition is True: `podutil.IsPodReady` / KubeVirt `filterReadyVMIs`. */
  isReady(child: KubeObject): boolean;
  /** Ready for at least `minReadySeconds` before `now`: `podutil.IsPodAvailable`. */
  isAvailable(child: KubeObject, minReadySeconds: number, now: Date): boolean;
  /**
   * Dead but still present, so it is deleted and replaced: KubeVirt
   * `filterFinishedVMIs` + `filterUnknownVMIs`. Pods are never finished (a
   * ReplicaSet ignores terminal pods instead).
   */
  isFinished(child: KubeObject): boolean;
  /**
   * `candidates` reordered so the child to delete first comes first (a new
   * array; the sort is stable). `related` are the children of every set
   * sharing the owner's controller, whose active members on a node give the
   * co-location rank (ReplicaSet only).
   */
  rankForDeletion(candidates: readonly KubeObject[], related: readonly KubeObject[], now: Date): KubeObject[];
}
