/**
 * @module
 * The default ClusterRoles and ClusterRoleBindings upstream bootstraps
 * (kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go,
 * v1.32), limited to the user-facing ones: `cluster-admin`, the aggregated
 * `admin` / `edit` / `view` and the `system:aggregate-to-*` roles that fill
 * them, `system:basic-user`, `system:discovery`, `system:public-info-viewer`,
 * and their bindings. KubeVirt's additions are in bootstrap-policy-kubevirt.ts.
 * Data only: bootstrap-ensure.ts writes them. Rules for kinds duraplane does
 * not serve (deployments, services…) are kept, as they are harmless and keep
 * the roles what users of Kubernetes expect.
 */
import type { KubeObject } from "../../shared/k8s/object";
import { KUBEVIRT_CLUSTER_ROLE_BINDINGS, KUBEVIRT_CLUSTER_ROLES } from "./bootstrap-policy-kubevirt";
import { METRICS_CLUSTER_ROLES } from "./bootstrap-policy-metrics";
import { clusterBindingToGroups, clusterRole, rule, urlRule } from "./policy-builders";

/** The label that aggregates a ClusterRole into `admin`. */
export const AGGREGATE_TO_ADMIN = "rbac.authorization.k8s.io/aggregate-to-admin";
/** The label that aggregates a ClusterRole into `edit`. */
export const AGGREGATE_TO_EDIT = "rbac.authorization.k8s.io/aggregate-to-edit";
/** The label that aggregates a ClusterRole into `view`. */
export const AGGREGATE_TO_VIEW = "rbac.authorization.k8s.io/aggregate-to-view";

/** `user.SystemPrivilegedGroup`. */
export const SYSTEM_MASTERS = "system:masters";
/** `user.AllAuthenticated`. */
export const SYSTEM_AUTHENTICATED = "system:authenticated";
/** `user.AllUnauthenticated`. */
export const SYSTEM_UNAUTHENTICATED = "system:unauthenticated";
/** The group whose members may scrape /metrics (upstream's system:monitoring binding). */
export const SYSTEM_MONITORING = "system:monitoring";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete", "deletecollection"];
const READ_WRITE = [...READ, ...WRITE];

const CORE = "";
const APPS = "apps";
const AUTHENTICATION = "authentication.k8s.io";
const AUTHORIZATION = "authorization.k8s.io";
const AUTOSCALING = "autoscaling";
const BATCH = "batch";
const COORDINATION = "coordination.k8s.io";
const DISCOVERY = "discovery.k8s.io";
const EXTENSIONS = "extensions";
const NETWORKING = "networking.k8s.io";
const POLICY = "policy";
const RBAC = "rbac.authorization.k8s.io";

/** Upstream's bootstrap ClusterRoles (the user-facing subset), in policy.go's order. */
const UPSTREAM_CLUSTER_ROLES: readonly KubeObject[] = [
  // A "root" role which can do absolutely anything.
  clusterRole("cluster-admin", [rule(["*"], ["*"], ["*"]), urlRule(["*"], ["*"])]),
  // Just enough to find out whether the server is ready and which APIs it serves.
  clusterRole("system:discovery", [
    urlRule(["get"], ["/livez", "/readyz", "/healthz", "/version", "/version/", "/openapi", "/openapi/*", "/api", "/api/*", "/apis", "/apis/*"]),
  ]),
  // What any user may ask about themselves.
  clusterRole("system:basic-user", [
    rule(["create"], [AUTHORIZATION], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
    rule(["create"], [AUTHENTICATION], ["selfsubjectreviews"]),
  ]),
  // Insensitive cluster information, even for unauthenticated callers.
  clusterRole("system:public-info-viewer", [urlRule(["get"], ["/livez", "/readyz", "/healthz", "/version", "/version/"])]),
  // What a monitoring system scrapes and probes.
  clusterRole("system:monitoring", [
    urlRule(["get"], ["/metrics", "/metrics/slis", "/livez", "/readyz", "/healthz", "/livez/*", "/readyz/*", "/healthz/*"]),
  ]),
  // Namespace admin: edit plus granting permissions to others.
  clusterRole("admin", [], { aggregateFrom: AGGREGATE_TO_ADMIN }),
  // Namespace editor: every user-level action, but no /status, quota or limits.
  clusterRole("edit", [], { labels: { [AGGREGATE_TO_ADMIN]: "true" }, aggregateFrom: AGGREGATE_TO_EDIT }),
  // Namespace viewer: read-only access to non-escalating resources.
  clusterRole("view", [], { labels: { [AGGREGATE_TO_EDIT]: "true" }, aggregateFrom: AGGREGATE_TO_VIEW }),
  clusterRole("system:aggregate-to-admin", [
    rule(["create"], [AUTHORIZATION], ["localsubjectaccessreviews"]),
    rule(READ_WRITE, [RBAC], ["roles", "rolebindings"]),
  ], { labels: { [AGGREGATE_TO_ADMIN]: "true" } }),
  clusterRole("system:aggregate-to-edit", [
    // Read on escalating resources.
    rule(READ, [CORE], ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"]),
    rule(["impersonate"], [CORE], ["serviceaccounts"]),
    rule(WRITE, [CORE], ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
    rule(["create"], [CORE], ["pods/eviction"]),
    rule(WRITE, [CORE], [
      "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/proxy",
      "persistentvolumeclaims", "configmaps", "secrets", "events",
    ]),
    rule(["create"], [CORE], ["serviceaccounts/token"]),
    rule(WRITE, [APPS], [
      "statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale", "deployments/rollback",
      "replicasets", "replicasets/scale",
    ]),
    rule(WRITE, [AUTOSCALING], ["horizontalpodautoscalers"]),
    rule(WRITE, [BATCH], ["jobs", "cronjobs"]),
    rule(WRITE, [EXTENSIONS], [
      "daemonsets", "deployments", "deployments/scale", "deployments/rollback", "ingresses", "replicasets",
      "replicasets/scale", "replicationcontrollers/scale", "networkpolicies",
    ]),
    rule(WRITE, [POLICY], ["poddisruptionbudgets"]),
    rule(WRITE, [NETWORKING], ["networkpolicies", "ingresses"]),
    rule(READ_WRITE, [COORDINATION], ["leases"]),
  ], { labels: { [AGGREGATE_TO_EDIT]: "true" } }),
  clusterRole("system:aggregate-to-view", [
    rule(READ, [CORE], [
      "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status",
      "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps",
    ]),
    rule(READ, [CORE], [
      "limitranges", "resourcequotas", "bindings", "events", "pods/status", "resourcequotas/status", "namespaces/status",
      "replicationcontrollers/status", "pods/log",
    ]),
    // Reading namespaces at namespace scope means reading *this* namespace: which namespaces one may use.
    rule(READ, [CORE], ["namespaces"]),
    rule(READ, [DISCOVERY], ["endpointslices"]),
    rule(READ, [APPS], [
      "controllerrevisions", "statefulsets", "statefulsets/status", "statefulsets/scale", "daemonsets", "daemonsets/status",
      "deployments", "deployments/status", "deployments/scale", "replicasets", "replicasets/status", "replicasets/scale",
    ]),
    rule(READ, [AUTOSCALING], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
    rule(READ, [BATCH], ["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
    rule(READ, [EXTENSIONS], [
      "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses",
      "ingresses/status", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale",
      "networkpolicies",
    ]),
    rule(READ, [POLICY], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
    rule(READ, [NETWORKING], ["networkpolicies", "ingresses", "ingresses/status"]),
  ], { labels: { [AGGREGATE_TO_VIEW]: "true" } }),
];

/** Upstream's bootstrap ClusterRoleBindings for the roles above. */
const UPSTREAM_CLUSTER_ROLE_BINDINGS: readonly KubeObject[] = [
  clusterBindingToGroups("cluster-admin", [SYSTEM_MASTERS]),
  clusterBindingToGroups("system:discovery", [SYSTEM_AUTHENTICATED]),
  clusterBindingToGroups("system:basic-user", [SYSTEM_AUTHENTICATED]),
  clusterBindingToGroups("system:public-info-viewer", [SYSTEM_AUTHENTICATED, SYSTEM_UNAUTHENTICATED]),
  clusterBindingToGroups("system:monitoring", [SYSTEM_MONITORING]),
];

/** Every default ClusterRole duraplane keeps: upstream's, metrics-server's, then KubeVirt's. */
export const BOOTSTRAP_CLUSTER_ROLES: readonly KubeObject[] = [...UPSTREAM_CLUSTER_ROLES, ...METRICS_CLUSTER_ROLES, ...KUBEVIRT_CLUSTER_ROLES];

/** Every default ClusterRoleBinding duraplane keeps: upstream's, then KubeVirt's. */
export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: readonly KubeObject[] = [
  ...UPSTREAM_CLUSTER_ROLE_BINDINGS,
  ...KUBEVIRT_CLUSTER_ROLE_BINDINGS,
];

/** The names of the default ClusterRoles. */
export const BOOTSTRAP_CLUSTER_ROLE_NAMES: readonly string[] = BOOTSTRAP_CLUSTER_ROLES.map((r) => r.metadata.name ?? "");

/** The names of the default ClusterRoleBindings. */
export const BOOTSTRAP_CLUSTER_ROLE_BINDING_NAMES: readonly string[] = BOOTSTRAP_CLUSTER_ROLE_BINDINGS.map((b) => b.metadata.name ?? "");
