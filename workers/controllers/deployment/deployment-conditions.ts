/**
 * @module
 * Deployment conditions and the progress predicates built on them
 * (deploymentutil NewDeploymentCondition, SetDeploymentCondition,
 * DeploymentComplete, DeploymentProgressing, DeploymentTimedOut).
 */
import { formatTime } from "../../../shared/k8s/time";
import type { Deployment, DeploymentCondition, DeploymentStatus } from "../../../shared/schemas";

/** Condition types. */
export const PROGRESSING = "Progressing";
/** See PROGRESSING. */
export const AVAILABLE = "Available";
/** See PROGRESSING. */
export const REPLICA_FAILURE = "ReplicaFailure";

/** Reasons of the Progressing and Available conditions (deploymentutil). */
export const REASONS = {
  newRSCreated: "NewReplicaSetCreated",
  foundNewRS: "FoundNewReplicaSet",
  rsUpdated: "ReplicaSetUpdated",
  newRSAvailable: "NewReplicaSetAvailable",
  timedOut: "ProgressDeadlineExceeded",
  failedRSCreate: "ReplicaSetCreateError",
  paused: "DeploymentPaused",
  resumed: "DeploymentResumed",
  minimumReplicasAvailable: "MinimumReplicasAvailable",
  minimumReplicasUnavailable: "MinimumReplicasUnavailable",
} as const;

/** `NewDeploymentCondition`: both timestamps now. */
export function newCondition(type: string, status: string, reason: string, message: string, now: Date): DeploymentCondition {
  const t = formatTime(now.getTime());
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** `GetDeploymentCondition`. */
export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** `RemoveDeploymentCondition`. */
export function removeCondition(status: DeploymentStatus, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
}

/**
 * `SetDeploymentCondition`: no change when status and reason are the same;
 * the transition time is kept while the status stays.
 */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

/** `HasProgressDeadline`: set and not MaxInt32. */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== 2147483647;
}

/** `DeploymentComplete`: every replica updated and available, at the current generation. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const replicas = d.spec?.replicas ?? 1;
  return (status.updatedReplicas ?? 0) === replicas && (status.replicas ?? 0) === replicas &&
    (status.availableReplicas ?? 0) === replicas && (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** `DeploymentProgressing`: more updated, ready or available replicas, or fewer old ones, than last observed. */
export function deploymentProgressing(d: Deployment, status: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** `DeploymentTimedOut`: no progress recorded for progressDeadlineSeconds since the Progressing condition's last update. */
export function deploymentTimedOut(d: Deployment, status: DeploymentStatus, now: Date): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(status, PROGRESSING);
  if (!cond || cond.reason === REASONS.newRSAvailable) return false;
  if (cond.reason === REASONS.timedOut) return true;
  const from = Date.parse(cond.lastUpdateTime ?? "");
  if (Number.isNaN(from)) return false;
  return from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now.getTime();
}
