/**
 * @module
 * `rolloutRecreate` (pkg/controller/deployment/recreate.go): scale every old
 * ReplicaSet to zero, wait until none of their pods is left, then create and
 * scale up the new one.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import type { ReplicaSet } from "../../../shared/schemas";
import { phaseOf } from "../shared/object-fields";
import { getControllerOf } from "../replicaset/replicas";
import { cleanupDeployment } from "./cleanup";
import { deploymentComplete } from "./deployment-conditions";
import { deploymentReplicas } from "./fenceposts";
import { getAllReplicaSetsAndSyncRevision } from "./new-replica-set";
import { syncRolloutStatus } from "./progress";
import { actualReplicaCount, filterActive } from "./replica-set-util";
import { current, scaleReplicaSetAndRecordEvent, type SyncContext } from "./sync-context";

/** `oldPodsRunning`: an old set still counts pods, or one of its pods has not finished (terminating included). */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], pods: readonly KubeObject[]): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  const old = new Set(oldRSs.map((rs) => rs.metadata.uid).filter((uid) => uid !== undefined && uid !== newRS?.metadata.uid));
  return pods.some((pod) => {
    const owner = getControllerOf(pod);
    if (!owner || !old.has(owner.uid)) return false;
    const phase = phaseOf(pod);
    return phase !== "Failed" && phase !== "Succeeded";
  });
}

/** `rolloutRecreate`. */
export function rolloutRecreate(ctx: SyncContext): void {
  // No new set yet: creating it first would scale up before the old ones are down.
  let { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, false);
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    if (scaleReplicaSetAndRecordEvent(ctx, rs, 0).scaled) scaledDown = true;
  }
  if (scaledDown || oldPodsRunning(newRS, current(ctx, oldRSs), ctx.pods)) {
    syncRolloutStatus(ctx, current(ctx, [...oldRSs, ...(newRS ? [newRS] : [])]), newRS && current(ctx, [newRS])[0]);
    return;
  }
  if (!newRS) ({ newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, true));
  if (newRS) newRS = scaleReplicaSetAndRecordEvent(ctx, newRS, deploymentReplicas(ctx.d)).rs;
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) cleanupDeployment(ctx, oldRSs);
  syncRolloutStatus(ctx, current(ctx, [...oldRSs, ...(newRS ? [newRS] : [])]), newRS);
}
