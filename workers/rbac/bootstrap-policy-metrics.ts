/**
 * @module
 * metrics-server's ClusterRole `system:aggregated-metrics-reader`
 * (metrics-server manifests/base/rbac.yaml): read of `metrics.k8s.io` pods
 * and nodes, aggregated into `view`, `edit` and `admin`, so whoever may read
 * pods in a namespace may `kubectl top` them there. duraplane adds its
 * `virtualmachineinstances` usage (docs/top.md) to the same rule. Data only.
 */
import type { KubeObject } from "../../shared/k8s/object";
import { clusterRole, rule } from "./policy-builders";

// Spelled out, not imported: bootstrap-policy.ts imports this module.
const AGGREGATE_TO_ADMIN = "rbac.authorization.k8s.io/aggregate-to-admin";
const AGGREGATE_TO_EDIT = "rbac.authorization.k8s.io/aggregate-to-edit";
const AGGREGATE_TO_VIEW = "rbac.authorization.k8s.io/aggregate-to-view";

/** The default ClusterRoles of the resource metrics API. */
export const METRICS_CLUSTER_ROLES: readonly KubeObject[] = [
  clusterRole("system:aggregated-metrics-reader", [
    rule(["get", "list", "watch"], ["metrics.k8s.io"], ["pods", "nodes", "virtualmachineinstances"]),
  ], { labels: { "k8s-app": "metrics-server", [AGGREGATE_TO_ADMIN]: "true", [AGGREGATE_TO_EDIT]: "true", [AGGREGATE_TO_VIEW]: "true" } }),
];
