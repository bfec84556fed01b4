/**
 * @module
 * The state one pure Deployment sync works on: the Deployment and its
 * ReplicaSets as in-memory copies, changed as upstream's API calls would
 * change them, and the writes those calls stand for, in order. The executor
 * (execute-plan.ts) performs the writes afterwards.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import type { Deployment, ReplicaSet } from "../../../shared/schemas";
import { deploymentReplicas, maxSurge } from "./fenceposts";
import { replicasAnnotationsNeedUpdate, setReplicasAnnotations } from "./replica-set-annotations";
import { rsReplicas } from "./replica-set-util";

/** One write the sync decided on. */
export type DeploymentAction =
  | { kind: "createReplicaSet"; rs: ReplicaSet }
  /** spec.replicas, spec.minReadySeconds and annotations of `rs` changed; `fromReplicas` guards the write. */
  | { kind: "updateReplicaSet"; rs: ReplicaSet; fromReplicas: number }
  | { kind: "deleteReplicaSet"; rs: ReplicaSet }
  | { kind: "event"; type: "Normal" | "Warning"; reason: string; message: string };

/** The working state of one sync. */
export interface SyncContext {
  /** The Deployment; status and annotations change in place. */
  d: Deployment;
  /** Its claimed ReplicaSets; entries are replaced as they are updated. */
  rsList: ReplicaSet[];
  /** Pods of those ReplicaSets (for Recreate's "old pods running"). */
  pods: readonly KubeObject[];
  now: Date;
  actions: DeploymentAction[];
}

/** Replaces `rs` by `next` wherever the context holds it. */
function replace(ctx: SyncContext, rs: ReplicaSet, next: ReplicaSet): void {
  ctx.rsList = ctx.rsList.map((r) => (r.metadata.uid === rs.metadata.uid && r.metadata.name === rs.metadata.name ? next : r));
}

/** Records an update of `next` (a changed copy of `rs`) and returns it. */
export function updateReplicaSet(ctx: SyncContext, rs: ReplicaSet, next: ReplicaSet): ReplicaSet {
  ctx.actions.push({ kind: "updateReplicaSet", rs: next, fromReplicas: rsReplicas(rs) });
  replace(ctx, rs, next);
  return next;
}

/** Records a Normal Event on the Deployment. */
export function recordNormal(ctx: SyncContext, reason: string, message: string): void {
  ctx.actions.push({ kind: "event", type: "Normal", reason, message });
}

/**
 * `scaleReplicaSet`: sets replicas and the desired/max annotations;
 * records "Scaled up|down replica set X from a to b" when the size changed.
 */
export function scaleReplicaSet(ctx: SyncContext, rs: ReplicaSet, newScale: number, operation: string): { scaled: boolean; rs: ReplicaSet } {
  const desired = deploymentReplicas(ctx.d);
  const max = desired + maxSurge(ctx.d);
  const sizeNeedsUpdate = rsReplicas(rs) !== newScale;
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const next = structuredClone(rs);
  next.spec = { ...next.spec, replicas: newScale } as NonNullable<ReplicaSet["spec"]>;
  setReplicasAnnotations(next, desired, max);
  updateReplicaSet(ctx, rs, next);
  if (sizeNeedsUpdate) {
    recordNormal(ctx, "ScalingReplicaSet", `Scaled ${operation} replica set ${rs.metadata.name ?? ""} from ${rsReplicas(rs)} to ${newScale}`);
  }
  return { scaled: sizeNeedsUpdate, rs: next };
}

/** `scaleReplicaSetAndRecordEvent`: nothing when already at `newScale`. */
export function scaleReplicaSetAndRecordEvent(ctx: SyncContext, rs: ReplicaSet, newScale: number): { scaled: boolean; rs: ReplicaSet } {
  if (rsReplicas(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(ctx, rs, newScale, rsReplicas(rs) < newScale ? "up" : "down");
}

/** The context's latest copies of `rss` (upstream's slices hold pointers its updates change). */
export function current(ctx: SyncContext, rss: readonly ReplicaSet[]): ReplicaSet[] {
  return rss.map((rs) => ctx.rsList.find((r) => r.metadata.name === rs.metadata.name) ?? rs);
}
