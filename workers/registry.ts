/**
 * @module
 * The resource registry: one `ResourceKind` per served kind, assembled from
 * the kind's schema strategy (shared/schemas), its printer
 * (shared/k8s/printers) and its patch metadata. Everything generic —
 * handlers, storage, discovery, OpenAPI — is driven from here.
 */
import type { ObjectRef } from "./objects/object-ref";
import type { KubeObject } from "../shared/k8s/object";
import { printers } from "../shared/k8s/printers";
import { apiVersionOf, type Printer, type ResourceKind } from "../shared/k8s/resource-kind";
import { patchMetaOf } from "../shared/k8s/strategic-merge-patch-table";
import * as schemas from "../shared/schemas";
import { MIGRATION_RULES, NAMESPACE_RULES, POD_RULES, VMI_RULES } from "./kind-rules";

type Strategy = Pick<ResourceKind, "schema" | "applyDefaults" | "validate">;

function field(path: string): (obj: KubeObject) => string | undefined {
  const parts = path.split(".");
  return (obj) => {
    let cur: unknown = obj;
    for (const p of parts) {
      if (typeof cur !== "object" || cur === null) return undefined;
      cur = (cur as Record<string, unknown>)[p];
    }
    if (cur === undefined || cur === null) return undefined;
    return typeof cur === "string" ? cur : String(cur);
  };
}

function entry(
  strategy: Strategy,
  names: Omit<ResourceKind, "schema" | "applyDefaults" | "validate" | "printer" | "fieldSelectors" | "listKind" | "singular" | "categories"> &
    Partial<Pick<ResourceKind, "fieldSelectors" | "categories">>,
): ResourceKind {
  const printer = (printers as Record<string, Printer | undefined>)[names.kind];
  if (!printer) throw new Error(`no printer for ${names.kind}`);
  return {
    ...names,
    schema: strategy.schema,
    applyDefaults: strategy.applyDefaults,
    validate: strategy.validate,
    printer,
    listKind: `${names.kind}List`,
    singular: names.kind.toLowerCase(),
    categories: names.categories ?? [],
    fieldSelectors: names.fieldSelectors ?? {},
    // One table of merge keys for every built-in kind; custom resources (KubeVirt) get none: 415.
    patchMeta: names.patchMeta ?? patchMetaOf(names),
  };
}

/** Every kind the server serves. */
export const KINDS: readonly ResourceKind[] = [
  entry(schemas.namespaceStrategy, {
    group: "", version: "v1", kind: "Namespace", plural: "namespaces", shortNames: ["ns"], namespaced: false,
    deleteCollection: false,
    ...NAMESPACE_RULES,
    fieldSelectors: { "status.phase": field("status.phase") },
  }),
  entry(schemas.nodeStrategy, {
    group: "", version: "v1", kind: "Node", plural: "nodes", shortNames: ["no"], namespaced: false,
    fieldSelectors: { "spec.unschedulable": field("spec.unschedulable") },
  }),
  entry(schemas.podStrategy, {
    group: "", version: "v1", kind: "Pod", plural: "pods", shortNames: ["po"], namespaced: true, categories: ["all"],
    ...POD_RULES,
    binding: true,
    eviction: true,
    fieldSelectors: {
      "spec.nodeName": field("spec.nodeName"),
      "spec.restartPolicy": field("spec.restartPolicy"),
      "spec.schedulerName": field("spec.schedulerName"),
      "spec.serviceAccountName": field("spec.serviceAccountName"),
      "spec.hostNetwork": (obj) => field("spec.hostNetwork")(obj) ?? "false",
      "status.phase": field("status.phase"),
      "status.podIP": field("status.podIP"),
      "status.nominatedNodeName": field("status.nominatedNodeName"),
    },
  }),
  entry(schemas.eventStrategy, {
    group: "", version: "v1", kind: "Event", plural: "events", shortNames: ["ev"], namespaced: true,
    // One new Durable Object per Event cost as much as a pod's create (issue 14): Events live in their collection.
    collectionResident: true,
    fieldSelectors: {
      "involvedObject.kind": field("involvedObject.kind"),
      "involvedObject.namespace": field("involvedObject.namespace"),
      "involvedObject.name": field("involvedObject.name"),
      "involvedObject.uid": field("involvedObject.uid"),
      "involvedObject.apiVersion": field("involvedObject.apiVersion"),
      "involvedObject.resourceVersion": field("involvedObject.resourceVersion"),
      "involvedObject.fieldPath": field("involvedObject.fieldPath"),
      reason: field("reason"),
      reportingComponent: field("reportingComponent"),
      source: field("source.component"),
      type: field("type"),
    },
  }),
  entry(schemas.serviceAccountStrategy, {
    group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", shortNames: ["sa"], namespaced: true,
    tokenRequest: true,
  }),
  entry(schemas.configMapStrategy, {
    group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", shortNames: ["cm"], namespaced: true,
  }),
  entry(schemas.secretStrategy, {
    group: "", version: "v1", kind: "Secret", plural: "secrets", shortNames: [], namespaced: true,
    fieldSelectors: { type: field("type") },
  }),
  entry(schemas.resourceQuotaStrategy, {
    group: "", version: "v1", kind: "ResourceQuota", plural: "resourcequotas", shortNames: ["quota"], namespaced: true,
  }),
  entry(schemas.limitRangeStrategy, {
    group: "", version: "v1", kind: "LimitRange", plural: "limitranges", shortNames: ["limits"], namespaced: true,
  }),
  entry(schemas.replicaSetStrategy, {
    group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", shortNames: ["rs"], namespaced: true,
    categories: ["all"],
    scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.labelSelector" },
  }),
  entry(schemas.deploymentStrategy, {
    group: "apps", version: "v1", kind: "Deployment", plural: "deployments", shortNames: ["deploy"], namespaced: true,
    categories: ["all"],
    scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".spec.selector" },
  }),
  entry(schemas.virtualMachineStrategy, {
    group: "kubevirt.io", version: "v1", kind: "VirtualMachine", plural: "virtualmachines", shortNames: ["vm", "vms"],
    namespaced: true, categories: ["all"],
  }),
  entry(schemas.virtualMachineInstanceStrategy, {
    group: "kubevirt.io", version: "v1", kind: "VirtualMachineInstance", plural: "virtualmachineinstances",
    shortNames: ["vmi", "vmis"], namespaced: true, categories: ["all"],
    ...VMI_RULES,
  }),
  entry(schemas.virtualMachineInstanceReplicaSetStrategy, {
    group: "kubevirt.io", version: "v1", kind: "VirtualMachineInstanceReplicaSet",
    plural: "virtualmachineinstancereplicasets", shortNames: ["vmirs", "vmirss"], namespaced: true, categories: ["all"],
    scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.labelSelector" },
  }),
  entry(schemas.virtualMachinePoolStrategy, {
    group: "pool.kubevirt.io", version: "v1alpha1", kind: "VirtualMachinePool", plural: "virtualmachinepools",
    shortNames: ["vmpool", "vmpools"], namespaced: true, categories: ["all"],
    scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.labelSelector" },
  }),
  entry(schemas.virtualMachineInstanceMigrationStrategy, {
    group: "kubevirt.io", version: "v1", kind: "VirtualMachineInstanceMigration", plural: "virtualmachineinstancemigrations",
    shortNames: ["vmim", "vmims"], namespaced: true, categories: ["all"],
    ...MIGRATION_RULES,
  }),
  entry(schemas.roleStrategy, {
    group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", plural: "roles", shortNames: [], namespaced: true,
  }),
  entry(schemas.roleBindingStrategy, {
    group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding", plural: "rolebindings", shortNames: [], namespaced: true,
  }),
  entry(schemas.clusterRoleStrategy, {
    group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole", plural: "clusterroles", shortNames: [], namespaced: false,
  }),
  entry(schemas.clusterRoleBindingStrategy, {
    group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding", plural: "clusterrolebindings", shortNames: [],
    namespaced: false,
  }),
  entry(schemas.clusterResourceQuotaStrategy, {
    group: "quota.duraplane.io", version: "v1", kind: "ClusterResourceQuota", plural: "clusterresourcequotas",
    shortNames: ["clusterquota"], namespaced: false,
  }),
  entry(schemas.podDisruptionBudgetStrategy, {
    group: "policy", version: "v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", shortNames: ["pdb"], namespaced: true,
    // PrepareForCreate resets status; its counters have no omitempty, so they print as 0.
    initialStatus: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
  }),
];

/** The registry key of a kind: "group/plural" ("/pods" for the core group). */
export function resourceKey(kind: Pick<ResourceKind, "group" | "plural">): string {
  return `${kind.group}/${kind.plural}`;
}

const byResource = new Map(KINDS.map((k) => [resourceKey(k), k]));
const byKind = new Map(KINDS.map((k) => [`${apiVersionOf(k)}/${k.kind}`, k]));

/** Looks a kind up by its registry key. */
export function kindByResource(key: string): ResourceKind | undefined {
  return byResource.get(key);
}

/** The kind of a stored object, by its apiVersion and kind. */
export function kindOf(obj: Pick<KubeObject, "apiVersion" | "kind">): ResourceKind | undefined {
  return byKind.get(`${obj.apiVersion}/${obj.kind}`);
}

/** Where a stored object lives (its kind's registry key, namespace, name); throws for a kind not served. */
export function objectRefOf(obj: KubeObject): ObjectRef {
  const kind = kindOf(obj);
  if (!kind) throw new Error(`no served kind for ${obj.apiVersion}/${obj.kind}`);
  return { resource: resourceKey(kind), namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "" };
}

/** Looks a kind up by URL parts. */
export function kindByPath(group: string, version: string, plural: string): ResourceKind | undefined {
  const kind = byResource.get(`${group}/${plural}`);
  return kind && kind.version === version ? kind : undefined;
}

/** The served group-versions, core first. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const k of KINDS) seen.set(`${k.group}/${k.version}`, { group: k.group, version: k.version });
  return [...seen.values()];
}
