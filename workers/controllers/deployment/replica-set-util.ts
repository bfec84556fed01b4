/**
 * @module
 * What the Deployment controller reads off its ReplicaSets
 * (pkg/controller/deployment/util/deployment_util.go): revisions, which one
 * is new, counts, and the orders it walks them in.
 */
import type { ReplicaSet } from "../../../shared/schemas";
import type { Deployment } from "../../../shared/schemas";
import { equalIgnoreHash } from "./pod-template-hash";

/** `deploymentutil.RevisionAnnotation`. */
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
/** `RevisionHistoryAnnotation`: revisions a ReplicaSet had before a rollback brought it back. */
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
/** `DesiredReplicasAnnotation`. */
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
/** `MaxReplicasAnnotation`. */
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";

/** `spec.replicas` of a ReplicaSet (the API defaults it to 1). */
export function rsReplicas(rs: ReplicaSet): number {
  return rs.spec?.replicas ?? 1;
}

/** `deploymentutil.Revision`: the revision annotation as a number, 0 when absent or unparsable. */
export function revision(rs: Pick<ReplicaSet, "metadata">): number {
  const v = rs.metadata.annotations?.[REVISION_ANNOTATION];
  if (v === undefined || !/^-?\d+$/.test(v)) return 0;
  return Number(v);
}

/** `MaxRevision`. */
export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((max, rs) => Math.max(max, revision(rs)), 0);
}

function created(rs: ReplicaSet): number {
  return Date.parse(rs.metadata.creationTimestamp ?? "") || 0;
}

/** `ReplicaSetsByCreationTimestamp`: oldest first, then by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

/** `ReplicaSetsByRevision`: lowest revision first, then by creation. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revision(a) - revision(b) || byCreationTimestamp(a, b);
}

/** `ReplicaSetsBySizeNewer`: largest first, ties to the newer. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || byCreationTimestamp(b, a);
}

/** `ReplicaSetsBySizeOlder`: largest first, ties to the older. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || byCreationTimestamp(a, b);
}

/** `FindNewReplicaSet`: the oldest ReplicaSet whose template equals the Deployment's, ignoring the hash. */
export function findNewReplicaSet(d: Deployment, rsList: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** `FindOldReplicaSets`'s second result: every ReplicaSet but the new one. */
export function findOldReplicaSets(d: Deployment, rsList: readonly ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, rsList);
  return rsList.filter((rs) => rs !== newRS);
}

/** `FilterActiveReplicaSets`: those with replicas wanted. */
export function filterActive(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);
}

/** `GetReplicaCountForReplicaSets`: the sum of `spec.replicas`. */
export function specReplicaCount(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? rsReplicas(rs) : 0), 0);
}

/** `GetActualReplicaCountForReplicaSets`: the sum of `status.replicas`. */
export function actualReplicaCount(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

/** `GetReadyReplicaCountForReplicaSets`. */
export function readyReplicaCount(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

/** `GetAvailableReplicaCountForReplicaSets`. */
export function availableReplicaCount(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

/** `FindActiveOrLatest`: the only active ReplicaSet, the newest when none is active, or none when several are. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const all = [...oldRSs, ...(newRS ? [newRS] : [])].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActive(all);
  if (active.length === 0) return all[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** `IsSaturated`: the new ReplicaSet wants, has and makes available every replica. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
  const replicas = d.spec?.replicas ?? 1;
  return desired === String(replicas) && rsReplicas(rs) === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}
