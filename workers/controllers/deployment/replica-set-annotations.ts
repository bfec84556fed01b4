/**
 * @module
 * The annotations a Deployment keeps on its ReplicaSets: the revision (with
 * its history across rollbacks), desired and max replicas, and the
 * Deployment's own annotations (`SetNewReplicaSetAnnotations`,
 * `SetReplicasAnnotations`, `copyDeploymentAnnotationsToReplicaSet`).
 */
import type { Deployment, ReplicaSet } from "../../../shared/schemas";
import {
  DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
} from "./replica-set-util";

/** `MaxRevHistoryLengthInChars` (the controller's default flag value). */
const MAX_REV_HISTORY_LENGTH = 2000;

/** Deployment annotations never copied onto a ReplicaSet (`annotationsToSkip`). */
export const ANNOTATIONS_TO_SKIP: ReadonlySet<string> = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  "deprecated.deployment.rollback.to",
]);

function annotationsOf(rs: ReplicaSet): Record<string, string> {
  return (rs.metadata.annotations ??= {});
}

/** `copyDeploymentAnnotationsToReplicaSet`: adds or overwrites, never removes. */
function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || rs.metadata.annotations?.[k] === v) continue;
    annotationsOf(rs)[k] = v;
    changed = true;
  }
  return changed;
}

/** `SetReplicasAnnotations`: desired and max replicas; whether anything changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  let changed = false;
  const a = annotationsOf(rs);
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

/** `ReplicasAnnotationsNeedUpdate`. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/** Appends `oldRevision` to the revision history, dropping the oldest past the length cap. */
function appendRevisionHistory(rs: ReplicaSet, oldRevision: string): void {
  const history = rs.metadata.annotations?.[REVISION_HISTORY_ANNOTATION] ?? "";
  if (history === "") {
    annotationsOf(rs)[REVISION_HISTORY_ANNOTATION] = oldRevision;
    return;
  }
  const revisions = history.split(",");
  let total = history.length + oldRevision.length + 1;
  let start = 0;
  while (total > MAX_REV_HISTORY_LENGTH && start < revisions.length) {
    total -= (revisions[start] ?? "").length + 1;
    start++;
  }
  if (total <= MAX_REV_HISTORY_LENGTH) annotationsOf(rs)[REVISION_HISTORY_ANNOTATION] = [...revisions.slice(start), oldRevision].join(",");
}

/**
 * `SetNewReplicaSetAnnotations`: copies the Deployment's annotations, raises
 * the revision to `newRevision` (recording the old one when a rollback brings
 * the set back) and, for a set about to be created, sets desired/max replicas.
 * Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, maxReplicas: number): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const oldRevision = rs.metadata.annotations?.[REVISION_ANNOTATION];
  if (oldRevision !== undefined && oldRevision !== "" && !/^-?\d+$/.test(oldRevision)) return false;
  const oldRevisionInt = oldRevision ? Number(oldRevision) : 0;
  if (oldRevisionInt < newRevision) {
    annotationsOf(rs)[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined) appendRevisionHistory(rs, oldRevision);
  }
  const replicas = d.spec?.replicas ?? 1;
  if (!exists && setReplicasAnnotations(rs, replicas, maxReplicas)) changed = true;
  return changed;
}
