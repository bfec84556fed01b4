/**
 * @module
 * `syncDeployment` (pkg/controller/deployment/deployment_controller.go), pure:
 * from the Deployment, its claimed ReplicaSets and their pods, the writes
 * one sync makes and the Deployment's resulting status and annotations.
 * Deleting → status only; paused or a scaling event → `sync`; otherwise the
 * strategy's rollout.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import type { Deployment, ReplicaSet } from "../../../shared/schemas";
import { cleanupDeployment } from "./cleanup";
import { getCondition, hasProgressDeadline, newCondition, PROGRESSING, REASONS, setCondition } from "./deployment-conditions";
import { calculateStatus } from "./deployment-status";
import { getAllReplicaSetsAndSyncRevision } from "./new-replica-set";
import { requeueStuckDeployment } from "./progress";
import { rolloutRecreate } from "./recreate";
import { rolloutRolling } from "./rolling";
import { isScalingEvent, scale } from "./scale";
import { current, type DeploymentAction, type SyncContext } from "./sync-context";

/** What one sync decided. */
export interface DeploymentPlan {
  /** The Deployment with its new status and annotations. */
  deployment: Deployment;
  /** ReplicaSet writes and Events, in order. */
  actions: DeploymentAction[];
  /** When to look again for the progress deadline. */
  requeueAfterSeconds?: number;
}

/** `syncDeploymentStatus`: counts only. */
function syncDeploymentStatus(ctx: SyncContext, allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined): void {
  ctx.d.status = calculateStatus(current(ctx, allRSs), newRS && current(ctx, [newRS])[0], ctx.d, ctx.now);
}

/** `sync`: scale for a paused Deployment or a replicas change, without rolling. */
function sync(ctx: SyncContext): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, false);
  scale(ctx, newRS && current(ctx, [newRS])[0], current(ctx, oldRSs));
  if (ctx.d.spec?.paused) cleanupDeployment(ctx, current(ctx, oldRSs));
  syncDeploymentStatus(ctx, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
}

/** `checkPausedConditions`: Progressing Unknown DeploymentPaused / DeploymentResumed (never over a timeout). */
function checkPausedConditions(ctx: SyncContext): void {
  const d = ctx.d;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, PROGRESSING);
  if (cond?.reason === REASONS.timedOut) return;
  const pausedCondExists = cond?.reason === REASONS.paused;
  const status = (d.status ??= {});
  if (d.spec?.paused && !pausedCondExists) {
    setCondition(status, newCondition(PROGRESSING, "Unknown", REASONS.paused, "Deployment is paused", ctx.now));
  } else if (!d.spec?.paused && pausedCondExists) {
    setCondition(status, newCondition(PROGRESSING, "Unknown", REASONS.resumed, "Deployment is resumed", ctx.now));
  }
}

function selectsEverything(d: Deployment): boolean {
  const sel = d.spec?.selector;
  return !sel || Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0;
}

/**
 * One sync of a Deployment, without I/O. `rsList` are the ReplicaSets it
 * controls (after adoption), `pods` their pods (used by Recreate).
 * @example syncDeployment(d, [], [], new Date()).actions[0] // {kind: "createReplicaSet", rs: {metadata: {name: "web-<hash>"}, …}}
 */
export function syncDeployment(deployment: Deployment, rsList: readonly ReplicaSet[], pods: readonly KubeObject[], now: Date): DeploymentPlan {
  const ctx: SyncContext = { d: structuredClone(deployment), rsList: structuredClone([...rsList]), pods, now, actions: [] };
  const d = ctx.d;
  if (selectsEverything(d)) {
    // Upstream refuses to act on an empty selector and only records that it saw the generation.
    ctx.actions.push({ kind: "event", type: "Warning", reason: "SelectingAll", message: "This deployment is selecting all pods. A non-empty selector is required." });
    d.status = { ...d.status, observedGeneration: d.metadata.generation ?? 0 };
    return { deployment: d, actions: ctx.actions };
  }
  if (d.metadata.deletionTimestamp) {
    const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, false);
    syncDeploymentStatus(ctx, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
    return { deployment: d, actions: ctx.actions };
  }
  checkPausedConditions(ctx);
  if (d.spec?.paused) {
    sync(ctx);
    return { deployment: d, actions: ctx.actions };
  }
  const probe: SyncContext = { ...ctx, d: structuredClone(d), rsList: structuredClone(ctx.rsList), actions: [] };
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(probe, false);
  if (isScalingEvent(probe, newRS, oldRSs)) sync(ctx);
  else if (d.spec?.strategy?.type === "Recreate") rolloutRecreate(ctx);
  else rolloutRolling(ctx);
  const requeue = requeueStuckDeployment(ctx.d, now);
  return { deployment: ctx.d, actions: ctx.actions, ...(requeue !== undefined ? { requeueAfterSeconds: requeue } : {}) };
}
