/**
 * @module
 * `cleanupDeployment` (pkg/controller/deployment/sync.go): old ReplicaSets
 * beyond revisionHistoryLimit are deleted, lowest revision first, but only
 * once they are scaled to zero and observed so.
 */
import type { ReplicaSet } from "../../../shared/schemas";
import { isDeleting } from "../shared/object-fields";
import type { KubeObject } from "../../../shared/k8s/object";
import { byRevision, rsReplicas } from "./replica-set-util";
import type { SyncContext } from "./sync-context";

/** Deletes the oldest revisions past `spec.revisionHistoryLimit` (none when unset). */
export function cleanupDeployment(ctx: SyncContext, oldRSs: readonly ReplicaSet[]): void {
  const limit = ctx.d.spec?.revisionHistoryLimit;
  if (limit === undefined) return;
  const cleanable = oldRSs.filter((rs) => !isDeleting(rs as unknown as KubeObject)).sort(byRevision);
  const diff = cleanable.length - limit;
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i];
    if (!rs || (rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0) continue;
    if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    ctx.actions.push({ kind: "deleteReplicaSet", rs });
    ctx.rsList = ctx.rsList.filter((r) => r !== rs);
  }
}
