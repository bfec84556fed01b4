/**
 * @module
 * `scale` and `isScalingEvent` (pkg/controller/deployment/sync.go): a change
 * of spec.replicas mid-rollout is spread over the active ReplicaSets in
 * proportion to their size (`GetProportion`).
 */
import type { ReplicaSet } from "../../../shared/schemas";
import { deploymentReplicas, isRollingUpdate, maxSurge } from "./fenceposts";
import {
  bySizeNewer, bySizeOlder, DESIRED_REPLICAS_ANNOTATION, filterActive, findActiveOrLatest, isSaturated, MAX_REPLICAS_ANNOTATION,
  rsReplicas, specReplicaCount,
} from "./replica-set-util";
import { scaleReplicaSet, scaleReplicaSetAndRecordEvent, type SyncContext } from "./sync-context";
import type { Deployment } from "../../../shared/schemas";

/** `getReplicaSetFraction`: this set's share of the new total, by its max-replicas annotation. */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (deploymentReplicas(d) === 0) return -rsReplicas(rs);
  const deploymentMax = deploymentReplicas(d) + maxSurge(d);
  const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? Number.NaN);
  const base = Number.isInteger(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0);
  if (base === 0) return 0;
  // Go's math.Round: halves away from zero.
  const size = (rsReplicas(rs) * deploymentMax) / base;
  return Math.sign(size) * Math.round(Math.abs(size)) - rsReplicas(rs);
}

/** `GetProportion`: never more than what is left to add (or remove). */
function getProportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** `isScalingEvent`: an active ReplicaSet's desired-replicas annotation differs from spec.replicas. */
export function isScalingEvent(ctx: SyncContext, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): boolean {
  const replicas = String(deploymentReplicas(ctx.d));
  return filterActive([...oldRSs, newRS]).some((rs) => {
    const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
    return desired !== undefined && desired !== replicas;
  });
}

/** `scale`: one active set takes all; a saturated new set empties the old; otherwise proportional. */
export function scale(ctx: SyncContext, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): void {
  const d = ctx.d;
  const replicas = deploymentReplicas(d);
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (rsReplicas(only) !== replicas) scaleReplicaSetAndRecordEvent(ctx, only, replicas);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActive(oldRSs)) scaleReplicaSetAndRecordEvent(ctx, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = filterActive([...oldRSs, newRS]);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - specReplicaCount(all);
  const operation = toAdd > 0 ? "up" : toAdd < 0 ? "down" : "";
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  let added = 0;
  const sizes = new Map<ReplicaSet, number>();
  for (const rs of all) {
    const proportion = toAdd !== 0 ? getProportion(rs, d, toAdd, added) : 0;
    sizes.set(rs, rsReplicas(rs) + proportion);
    added += proportion;
  }
  all.forEach((rs, i) => {
    let size = sizes.get(rs) ?? rsReplicas(rs);
    // Leftovers go to the largest set.
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    scaleReplicaSet(ctx, rs, size, operation);
  });
}
