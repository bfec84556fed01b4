/**
 * @module
 * KubeVirt's ClusterRoles (kubevirt pkg/virt-operator/resource/generate/rbac/cluster.go,
 * v1.x): `kubevirt.io:admin|edit|view`, aggregated into `admin` / `edit` /
 * `view` by their `aggregate-to-*` labels, and `kubevirt.io:default`, bound to
 * every caller. VM and VMI actions are subresources of
 * `subresources.kubevirt.io`: start/stop/restart/migrate/pause/unpause are
 * `update`, console/vnc and the guest-agent reads are `get`. Data only.
 */
import type { KubeObject } from "../../shared/k8s/object";
import { clusterBindingToGroups, clusterRoleWithMeta, rule } from "./policy-builders";

const KUBEVIRT = "kubevirt.io";
const SUBRESOURCES = "subresources.kubevirt.io";
const SNAPSHOT = "snapshot.kubevirt.io";
const EXPORT = "export.kubevirt.io";
const CLONE = "clone.kubevirt.io";
const INSTANCETYPE = "instancetype.kubevirt.io";
const POOL = "pool.kubevirt.io";
const MIGRATIONS = "migrations.kubevirt.io";

/** KubeVirt's `kubevirt.io` app label, which its operator puts on everything it owns. */
const APP_LABEL = "kubevirt.io";

const READ = ["get", "list", "watch"];
const EDIT = ["get", "delete", "create", "update", "patch", "list", "watch"];
const ADMIN = [...EDIT, "deletecollection"];

const CORE_RESOURCES = [
  "virtualmachines", "virtualmachineinstances", "virtualmachineinstancepresets",
  "virtualmachineinstancereplicasets", "virtualmachineinstancemigrations",
];
const SNAPSHOTS = ["virtualmachinesnapshots", "virtualmachinesnapshotcontents", "virtualmachinerestores"];
const INSTANCETYPES = [
  "virtualmachineinstancetypes", "virtualmachineclusterinstancetypes", "virtualmachinepreferences",
  "virtualmachineclusterpreferences",
];

/** Guest-agent reads every role has. */
const GUEST_READS = [
  "virtualmachineinstances/guestosinfo", "virtualmachineinstances/filesystemlist", "virtualmachineinstances/userlist",
];

/** The subresource rules `admin` and `edit` share: consoles as `get`, VM/VMI actions as `update`. */
const ACTION_RULES = [
  rule(["get"], [SUBRESOURCES], [
    "virtualmachineinstances/console", "virtualmachineinstances/vnc", "virtualmachineinstances/vnc/screenshot",
    "virtualmachineinstances/portforward", ...GUEST_READS,
    "virtualmachineinstances/sev/fetchcertchain", "virtualmachineinstances/sev/querylaunchmeasurement",
  ]),
  rule(["update"], [SUBRESOURCES], [
    "virtualmachineinstances/pause", "virtualmachineinstances/unpause", "virtualmachineinstances/addvolume",
    "virtualmachineinstances/removevolume", "virtualmachineinstances/freeze", "virtualmachineinstances/unfreeze",
    "virtualmachineinstances/softreboot", "virtualmachineinstances/sev/setupsession",
    "virtualmachineinstances/sev/injectlaunchsecret",
  ]),
  rule(["get"], [SUBRESOURCES], ["virtualmachines/expand-spec", "virtualmachines/portforward"]),
  rule(["update"], [SUBRESOURCES], [
    "virtualmachines/start", "virtualmachines/stop", "virtualmachines/restart", "virtualmachines/addvolume",
    "virtualmachines/removevolume", "virtualmachines/migrate", "virtualmachines/memorydump",
  ]),
];

/** Full access to KubeVirt's namespaced kinds with `verbs`. */
function kindRules(verbs: readonly string[]) {
  return [
    rule(verbs, [KUBEVIRT], CORE_RESOURCES),
    rule(verbs, [SNAPSHOT], SNAPSHOTS),
    rule(verbs, [EXPORT], ["virtualmachineexports"]),
    rule(verbs, [CLONE], ["virtualmachineclones"]),
    rule(verbs, [INSTANCETYPE], INSTANCETYPES),
    rule(verbs, [POOL], ["virtualmachinepools"]),
    rule(READ, [MIGRATIONS], ["migrationpolicies"]),
  ];
}

function kubevirtRole(name: string, aggregateTo: string, rules: ReturnType<typeof rule>[]): KubeObject {
  return clusterRoleWithMeta({ name, labels: { [APP_LABEL]: "", [`rbac.authorization.k8s.io/aggregate-to-${aggregateTo}`]: "true" } }, rules);
}

/** KubeVirt's ClusterRoles, in cluster.go's order. */
export const KUBEVIRT_CLUSTER_ROLES: readonly KubeObject[] = [
  // What every caller may read of KubeVirt itself.
  clusterRoleWithMeta(
    {
      name: "kubevirt.io:default",
      labels: { [APP_LABEL]: "", "kubernetes.io/bootstrapping": "rbac-defaults" },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    [rule(["get", "list"], [SUBRESOURCES], ["version", "guestfs"])],
  ),
  kubevirtRole("kubevirt.io:admin", "admin", [...ACTION_RULES, ...kindRules(ADMIN)]),
  kubevirtRole("kubevirt.io:edit", "edit", [...ACTION_RULES, ...kindRules(EDIT), rule(["get", "list"], [KUBEVIRT], ["kubevirts"])]),
  kubevirtRole("kubevirt.io:view", "view", [
    rule(["get"], [SUBRESOURCES], GUEST_READS),
    rule(["get"], [SUBRESOURCES], ["virtualmachines/expand-spec"]),
    ...kindRules(READ),
  ]),
];

/** KubeVirt's ClusterRoleBindings: `kubevirt.io:default` for every caller, authenticated or not. */
export const KUBEVIRT_CLUSTER_ROLE_BINDINGS: readonly KubeObject[] = [
  clusterBindingToGroups("kubevirt.io:default", ["system:authenticated", "system:unauthenticated"], { [APP_LABEL]: "" }),
];
