/**
 * @module
 * `syncRolloutStatus` and `requeueStuckDeployment`
 * (pkg/controller/deployment/progress.go): the Progressing condition —
 * NewReplicaSetAvailable when complete, ReplicaSetUpdated on any progress,
 * ProgressDeadlineExceeded after progressDeadlineSeconds without — and the
 * ReplicaFailure condition copied from the ReplicaSets.
 */
import type { DeploymentStatus, ReplicaSet } from "../../../shared/schemas";
import { calculateStatus } from "./deployment-status";
import {
  deploymentComplete, deploymentProgressing, deploymentTimedOut, getCondition, hasProgressDeadline, newCondition, PROGRESSING,
  REASONS, removeCondition, REPLICA_FAILURE, setCondition,
} from "./deployment-conditions";
import type { SyncContext } from "./sync-context";
import type { Deployment } from "../../../shared/schemas";

/** `getReplicaFailures`: the new set's ReplicaFailure condition, else the first old set's. */
function replicaFailure(allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentStatus["conditions"] {
  const ordered = newRS ? [newRS, ...allRSs.filter((rs) => rs !== newRS)] : [...allRSs];
  for (const rs of ordered) {
    const c = rs.status?.conditions?.find((x) => x.type === REPLICA_FAILURE);
    if (c) return [{ type: REPLICA_FAILURE, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message }];
  }
  return [];
}

/** `syncRolloutStatus`: the new status, in `ctx.d.status`. */
export function syncRolloutStatus(ctx: SyncContext, allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined): void {
  const d = ctx.d;
  const status = calculateStatus(allRSs, newRS, d, ctx.now);
  if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING);
  const currentCond = getCondition(d.status, PROGRESSING);
  const complete = status.replicas === status.updatedReplicas && currentCond?.reason === REASONS.newRSAvailable;
  const name = newRS?.metadata.name ?? "";
  if (hasProgressDeadline(d) && !complete) {
    if (deploymentComplete(d, status)) {
      const msg = newRS ? `ReplicaSet "${name}" has successfully progressed.` : `Deployment "${d.metadata.name ?? ""}" has successfully progressed.`;
      setCondition(status, newCondition(PROGRESSING, "True", REASONS.newRSAvailable, msg, ctx.now));
    } else if (deploymentProgressing(d, status)) {
      const msg = newRS ? `ReplicaSet "${name}" is progressing.` : `Deployment "${d.metadata.name ?? ""}" is progressing.`;
      const condition = newCondition(PROGRESSING, "True", REASONS.rsUpdated, msg, ctx.now);
      // Progress moves lastUpdateTime even when the reason stays: that is what the deadline counts from.
      if (currentCond) {
        if (currentCond.status === "True") condition.lastTransitionTime = currentCond.lastTransitionTime;
        removeCondition(status, PROGRESSING);
      }
      setCondition(status, condition);
    } else if (deploymentTimedOut(d, status, ctx.now)) {
      const msg = newRS ? `ReplicaSet "${name}" has timed out progressing.` : `Deployment "${d.metadata.name ?? ""}" has timed out progressing.`;
      setCondition(status, newCondition(PROGRESSING, "False", REASONS.timedOut, msg, ctx.now));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  const first = failure?.[0];
  if (first) setCondition(status, first);
  else removeCondition(status, REPLICA_FAILURE);
  d.status = status;
}

/**
 * `requeueStuckDeployment`: seconds until the progress deadline passes for a
 * rollout that has not completed or timed out, so the timeout is noticed
 * with no other trigger; undefined when nothing is pending.
 */
export function requeueStuckDeployment(d: Deployment, now: Date): number | undefined {
  const status = d.status ?? {};
  const cond = getCondition(status, PROGRESSING);
  if (!hasProgressDeadline(d) || !cond) return undefined;
  if (deploymentComplete(d, status) || cond.reason === REASONS.timedOut) return undefined;
  if (cond.reason === REASONS.paused) return undefined;
  const from = Date.parse(cond.lastUpdateTime ?? "");
  if (Number.isNaN(from)) return undefined;
  const after = (from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - now.getTime()) / 1000;
  return after < 1 ? 1 : Math.ceil(after) + 1;
}
