/**
 * @module
 * `rolloutRolling` (pkg/controller/deployment/rolling.go): grow the new
 * ReplicaSet while total pods stay within replicas + maxSurge, shrink the old
 * ones while available pods stay at or above replicas − maxUnavailable.
 */
import type { ReplicaSet } from "../../../shared/schemas";
import { cleanupDeployment } from "./cleanup";
import { deploymentComplete } from "./deployment-conditions";
import { deploymentReplicas, maxUnavailable } from "./fenceposts";
import { getAllReplicaSetsAndSyncRevision, newRSNewReplicas } from "./new-replica-set";
import { syncRolloutStatus } from "./progress";
import { availableReplicaCount, byCreationTimestamp, filterActive, rsReplicas, specReplicaCount } from "./replica-set-util";
import { current, scaleReplicaSetAndRecordEvent, type SyncContext } from "./sync-context";

/** `reconcileNewReplicaSet`: whether the new ReplicaSet was scaled. */
export function reconcileNewReplicaSet(ctx: SyncContext, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): boolean {
  const replicas = deploymentReplicas(ctx.d);
  if (rsReplicas(newRS) === replicas) return false;
  if (rsReplicas(newRS) > replicas) return scaleReplicaSetAndRecordEvent(ctx, newRS, replicas).scaled;
  return scaleReplicaSetAndRecordEvent(ctx, newRS, newRSNewReplicas(ctx.d, allRSs, newRS)).scaled;
}

/**
 * `cleanupUnhealthyReplicas`: old sets first lose their unavailable pods
 * (oldest set first, at most `maxCleanup`), so they cannot block a rollout.
 */
function cleanupUnhealthyReplicas(ctx: SyncContext, oldRSs: ReplicaSet[], maxCleanup: number): { oldRSs: ReplicaSet[]; count: number } {
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const rs = sorted[i];
    if (!rs || total >= maxCleanup) break;
    const available = rs.status?.availableReplicas ?? 0;
    if (rsReplicas(rs) === 0 || rsReplicas(rs) === available) continue;
    const count = Math.min(maxCleanup - total, rsReplicas(rs) - available);
    sorted[i] = scaleReplicaSetAndRecordEvent(ctx, rs, rsReplicas(rs) - count).rs;
    total += count;
  }
  return { oldRSs: sorted, count: total };
}

/** `scaleDownOldReplicaSetsForRollingUpdate`: removes what availability above the minimum allows, oldest first. */
function scaleDownOldReplicaSetsForRollingUpdate(ctx: SyncContext, allRSs: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[]): number {
  const minAvailable = deploymentReplicas(ctx.d) - maxUnavailable(ctx.d);
  const available = availableReplicaCount(allRSs);
  if (available <= minAvailable) return 0;
  const toScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= toScaleDown) break;
    if (rsReplicas(rs) === 0) continue;
    const count = Math.min(rsReplicas(rs), toScaleDown - total);
    scaleReplicaSetAndRecordEvent(ctx, rs, rsReplicas(rs) - count);
    total += count;
  }
  return total;
}

/**
 * `reconcileOldReplicaSets`: whether old ReplicaSets were scaled down. At most
 * all − minAvailable − (new set's unavailable pods) go, unhealthy ones first.
 */
export function reconcileOldReplicaSets(ctx: SyncContext, allRSs: readonly ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
  if (specReplicaCount(oldRSs) === 0) return false;
  const minAvailable = deploymentReplicas(ctx.d) - maxUnavailable(ctx.d);
  const newUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = specReplicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = cleanupUnhealthyReplicas(ctx, oldRSs, maxScaledDown);
  const scaledDown = scaleDownOldReplicaSetsForRollingUpdate(ctx, [...cleaned.oldRSs, newRS], cleaned.oldRSs);
  return cleaned.count + scaledDown > 0;
}

/** `rolloutRolling`: scale up, else scale down, else clean up once complete; then the rollout status. */
export function rolloutRolling(ctx: SyncContext): void {
  const { newRS: created, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, true);
  // With create true there is always a new set.
  const newRS = created as ReplicaSet;
  const allRSs = [...oldRSs, newRS];
  if (reconcileNewReplicaSet(ctx, allRSs, newRS)) {
    syncRolloutStatus(ctx, current(ctx, allRSs), current(ctx, [newRS])[0]);
    return;
  }
  if (reconcileOldReplicaSets(ctx, allRSs, filterActive(oldRSs), newRS)) {
    syncRolloutStatus(ctx, current(ctx, allRSs), newRS);
    return;
  }
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) cleanupDeployment(ctx, oldRSs);
  syncRolloutStatus(ctx, current(ctx, allRSs), newRS);
}
