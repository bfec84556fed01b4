/**
 * @module
 * When ClusterRole aggregation runs. Upstream's controller enqueues every
 * aggregated ClusterRole whenever any ClusterRole changes; here the whole
 * aggregation is one key (one Reconciler serialises it, as the scheduler's
 * one key does), since which roles a change feeds is only known from the
 * list the pass reads anyway.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import type { ReconcileKey } from "../runtime/keys";

/** The controller's name (kube-controller-manager's "clusterrole-aggregation"). */
export const CLUSTER_ROLE_AGGREGATION = "clusterroleaggregation";

/** The one key aggregation runs under. */
export const CLUSTER_ROLE_AGGREGATION_KEY: ReconcileKey = { controller: CLUSTER_ROLE_AGGREGATION, namespace: "", name: "clusterroles" };

/** Any ClusterRole change (and the ClusterRoles' resync) runs the aggregation. */
export function aggregationKeys(obj: KubeObject): ReconcileKey[] {
  return obj.kind === "ClusterRole" ? [CLUSTER_ROLE_AGGREGATION_KEY] : [];
}

/** The kinds whose collections resync this controller's key. */
export function isAggregationKind(kind: string): boolean {
  return kind === "ClusterRole";
}
