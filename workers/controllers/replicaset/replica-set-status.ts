/**
 * @module
 * ReplicaSet status: `calculateStatus` and the requeue rule of
 * `syncReplicaSet` (`pkg/controller/replicaset/replica_set_utils.go`,
 * `replica_set.go`). Pair with `statusEqual` to skip unchanged writes.
 */
import { selectorFromSet } from "../../../shared/k8s/labels";
import { deepCopy, isJsonObject, type KubeObject } from "../../../shared/k8s/object";
import { removeCondition, setReplicaSetCondition } from "../shared/conditions";
import { conditionsOf, desiredReplicas, numberField, specOf, statusOf, type Condition } from "../shared/object-fields";
import { isPodAvailable, isPodReady, isPodTerminating, nextPodAvailabilityCheck } from "./pod-readiness";
import { formatTime } from "../../../shared/k8s/time";

/** `apps.ReplicaSetReplicaFailure`. */
export const REPLICA_FAILURE = "ReplicaFailure";

/** `apps/v1` ReplicaSetStatus as the controller writes it; other fields already in the status are kept. */
export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  terminatingReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
  [field: string]: unknown;
}

function templateLabels(rs: KubeObject): Record<string, string> | undefined {
  const template = specOf(rs).template;
  const meta = isJsonObject(template) ? template.metadata : undefined;
  return isJsonObject(meta) && isJsonObject(meta.labels) ? (meta.labels as Record<string, string>) : undefined;
}

function errorMessage(err: Error | string): string {
  return typeof err === "string" ? err : err.message;
}

/**
 * `calculateStatus` plus the `observedGeneration` that `updateReplicaSetStatus` stamps.
 * @param activePods the claimed active pods (`replicas`, and the base of the other counts).
 * @param ownedNonTerminal claimed non-terminal pods including those being deleted; the ones with a
 *   deletionTimestamp become `terminatingReplicas`. Pass undefined to leave the field out, as upstream
 *   does while the DeploymentReplicaSetTerminatingReplicas gate is off (its default before 1.35).
 * @param manageReplicasErr the error `manageReplicas` returned, if any: sets `ReplicaFailure`
 *   (FailedCreate below the desired count, FailedDelete above) unless one is already present;
 *   no error removes it.
 */
export function calculateReplicaSetStatus(
  rs: KubeObject,
  activePods: readonly KubeObject[],
  ownedNonTerminal: readonly KubeObject[] | undefined,
  now: Date,
  manageReplicasErr?: Error | string,
): ReplicaSetStatus {
  const minReadySeconds = numberField(specOf(rs), "minReadySeconds", 0);
  // labels.Set(template.Labels).AsSelectorPreValidated(): an empty set matches every pod.
  const template = selectorFromSet(templateLabels(rs));
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of activePods) {
    if (template.matches(pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
  }

  let conditions = conditionsOf(rs);
  const failing = conditions.some((c) => c.type === REPLICA_FAILURE);
  if (manageReplicasErr !== undefined && !failing) {
    const diff = activePods.length - desiredReplicas(rs);
    const reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
    const cond: Condition = { type: REPLICA_FAILURE, status: "True", lastTransitionTime: formatTime(now.getTime()) };
    if (reason !== "") cond.reason = reason;
    cond.message = errorMessage(manageReplicasErr);
    conditions = setReplicaSetCondition(conditions, cond);
  } else if (manageReplicasErr === undefined && failing) {
    conditions = removeCondition(conditions, REPLICA_FAILURE);
  }

  const status: ReplicaSetStatus = {
    ...deepCopy(statusOf(rs)),
    replicas: activePods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
  };
  if (ownedNonTerminal === undefined) delete status.terminatingReplicas;
  else status.terminatingReplicas = ownedNonTerminal.filter(isPodTerminating).length;
  if (conditions.length > 0) status.conditions = conditions;
  else delete status.conditions;
  if (rs.metadata.generation !== undefined) status.observedGeneration = rs.metadata.generation;
  return status;
}

/**
 * The resync at the end of `syncReplicaSet`: while `minReadySeconds > 0` and
 * some ready pods are not yet available, requeue when the first of them
 * becomes available (`FindMinNextPodAvailabilityCheck`), else after
 * `minReadySeconds`. Returns whole seconds (rounded up), or undefined for no requeue.
 */
export function requeueAfterForMinReady(
  rs: KubeObject,
  status: ReplicaSetStatus,
  activePods: readonly KubeObject[],
  now: Date,
): number | undefined {
  const minReadySeconds = numberField(specOf(rs), "minReadySeconds", 0);
  if (minReadySeconds <= 0 || status.readyReplicas === status.availableReplicas) return undefined;
  let next: number | undefined;
  for (const pod of activePods) {
    const wait = nextPodAvailabilityCheck(pod, minReadySeconds, now);
    if (wait !== undefined && (next === undefined || wait < next)) next = wait;
  }
  return next === undefined ? minReadySeconds : Math.ceil(next / 1000);
}
