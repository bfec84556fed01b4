/**
 * @module
 * `calculateStatus` and `syncDeploymentStatus`
 * (pkg/controller/deployment/sync.go): the Deployment's counts from its
 * ReplicaSets, and the Available condition.
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from "../../../shared/schemas";
import { AVAILABLE, newCondition, REASONS, setCondition } from "./deployment-conditions";
import { deploymentReplicas, maxUnavailable } from "./fenceposts";
import { actualReplicaCount, availableReplicaCount, readyReplicaCount, specReplicaCount } from "./replica-set-util";

/**
 * `calculateStatus`: replicas, updated, ready, available and unavailable
 * counts, observedGeneration, the collision count and conditions kept, and
 * Available True once available ≥ replicas − maxUnavailable.
 */
export function calculateStatus(allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, now: Date): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const total = specReplicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount(newRS ? [newRS] : []),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    conditions: [...(d.status?.conditions ?? [])],
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= deploymentReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(AVAILABLE, "True", REASONS.minimumReplicasAvailable, "Deployment has minimum availability.", now));
  } else {
    setCondition(status, newCondition(AVAILABLE, "False", REASONS.minimumReplicasUnavailable, "Deployment does not have minimum availability.", now));
  }
  return status;
}
