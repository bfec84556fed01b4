/**
 * @module
 * `getNewReplicaSet` / `getAllReplicaSetsAndSyncRevision`
 * (pkg/controller/deployment/sync.go): find the ReplicaSet whose template is
 * the Deployment's, bring its revision and annotations up to date, or
 * create it as `<deployment>-<pod-template-hash>`.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { formatTime } from "../../../shared/k8s/time";
import type { Deployment, ReplicaSet } from "../../../shared/schemas";
import { newControllerRef } from "../replicaset/replicas";
import { hasProgressDeadline, getCondition, newCondition, PROGRESSING, REASONS, setCondition } from "./deployment-conditions";
import { deploymentReplicas, maxSurge } from "./fenceposts";
import { computeHash, POD_TEMPLATE_HASH_LABEL } from "./pod-template-hash";
import { setNewReplicaSetAnnotations } from "./replica-set-annotations";
import { findNewReplicaSet, findOldReplicaSets, maxRevision, REVISION_ANNOTATION, specReplicaCount, rsReplicas } from "./replica-set-util";
import { recordNormal, updateReplicaSet, type SyncContext } from "./sync-context";

/** `SetDeploymentRevision`: whether the Deployment's revision annotation changed. */
function setDeploymentRevision(d: Deployment, rev: string): boolean {
  if (d.metadata.annotations?.[REVISION_ANNOTATION] === rev) return false;
  d.metadata.annotations = { ...d.metadata.annotations, [REVISION_ANNOTATION]: rev };
  return true;
}

/**
 * `NewRSNewReplicas`: how far the new ReplicaSet may grow now. RollingUpdate:
 * up to replicas + maxSurge pods in all (maxSurge rounded up), never past
 * replicas; Recreate: all at once.
 */
export function newRSNewReplicas(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  const replicas = deploymentReplicas(d);
  if ((d.spec?.strategy?.type ?? "RollingUpdate") !== "RollingUpdate") return replicas;
  const surge = maxSurge(d);
  const current = specReplicaCount(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return rsReplicas(newRS);
  return rsReplicas(newRS) + Math.min(maxTotal - current, replicas - rsReplicas(newRS));
}

function updateExisting(ctx: SyncContext, existing: ReplicaSet, newRevision: number): ReplicaSet {
  const d = ctx.d;
  const copy = structuredClone(existing);
  const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true, deploymentReplicas(d) + maxSurge(d));
  const minReady = d.spec?.minReadySeconds ?? 0;
  if (annotationsUpdated || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
    copy.spec = { ...copy.spec, minReadySeconds: minReady } as NonNullable<ReplicaSet["spec"]>;
    // Upstream returns here and records the revision on the next sync, after the update's own event.
    return updateReplicaSet(ctx, existing, copy);
  }
  setDeploymentRevision(d, copy.metadata.annotations?.[REVISION_ANNOTATION] ?? "");
  if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
    const status = (d.status ??= {});
    setCondition(status, newCondition(PROGRESSING, "True", REASONS.foundNewRS, `Found new replica set "${copy.metadata.name ?? ""}"`, ctx.now));
  }
  return copy;
}

/** The ReplicaSet a Deployment creates for its current template (replicas still to be set). */
function newReplicaSetFor(d: Deployment, now: Date): ReplicaSet {
  const template = structuredClone(d.spec?.template ?? {});
  const hash = computeHash(template, d.status?.collisionCount);
  const labels = { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
  template.metadata = { ...template.metadata, labels };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${d.metadata.name ?? ""}-${hash}`,
      namespace: d.metadata.namespace,
      // In memory only, so that sorting by age puts it last; the server sets its own.
      creationTimestamp: formatTime(now.getTime()),
      ownerReferences: [newControllerRef(d as unknown as KubeObject)],
      labels,
    },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
}

/**
 * `getNewReplicaSet`: the new ReplicaSet with its revision raised to
 * max(old)+1, or (when `create`) a fresh one sized by `newRSNewReplicas`,
 * recording NewReplicaSetCreated.
 */
export function getNewReplicaSet(ctx: SyncContext, oldRSs: readonly ReplicaSet[], create: boolean): ReplicaSet | undefined {
  const d = ctx.d;
  const existing = findNewReplicaSet(d, ctx.rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) return updateExisting(ctx, existing, newRevision);
  if (!create) return undefined;
  const rs = newReplicaSetFor(d, ctx.now);
  const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
  (rs.spec as NonNullable<ReplicaSet["spec"]>).replicas = replicas;
  setNewReplicaSetAnnotations(d, rs, newRevision, false, deploymentReplicas(d) + maxSurge(d));
  ctx.actions.push({ kind: "createReplicaSet", rs });
  ctx.rsList = [...ctx.rsList, rs];
  if (replicas > 0) recordNormal(ctx, "ScalingReplicaSet", `Scaled up replica set ${rs.metadata.name ?? ""} from 0 to ${replicas}`);
  setDeploymentRevision(d, String(newRevision));
  if (hasProgressDeadline(d)) {
    const status = (d.status ??= {});
    setCondition(status, newCondition(PROGRESSING, "True", REASONS.newRSCreated, `Created new replica set "${rs.metadata.name ?? ""}"`, ctx.now));
  }
  return rs;
}

/** `getAllReplicaSetsAndSyncRevision`: the new ReplicaSet (created if asked) and all the old ones. */
export function getAllReplicaSetsAndSyncRevision(ctx: SyncContext, create: boolean): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] } {
  const oldRSs = findOldReplicaSets(ctx.d, ctx.rsList);
  const newRS = getNewReplicaSet(ctx, oldRSs, create);
  return { newRS, oldRSs };
}
