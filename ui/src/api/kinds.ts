/**
 * @module
 * The kinds the dashboard shows, with the paths the API serves them at.
 */

/** A kind's REST coordinates. */
export interface Kind { key: string; kind: string; group: string; version: string; plural: string; namespaced: boolean; short: string }

const k = (key: string, kind: string, group: string, version: string, plural: string, namespaced: boolean, short: string): Kind =>
  ({ key, kind, group, version, plural, namespaced, short });

export const KINDS = {
  vms: k("vms", "VirtualMachine", "kubevirt.io", "v1", "virtualmachines", true, "VMs"),
  vmis: k("vmis", "VirtualMachineInstance", "kubevirt.io", "v1", "virtualmachineinstances", true, "VMIs"),
  vmirs: k("vmirs", "VirtualMachineInstanceReplicaSet", "kubevirt.io", "v1", "virtualmachineinstancereplicasets", true, "VMIRS"),
  pods: k("pods", "Pod", "", "v1", "pods", true, "Pods"),
  rs: k("rs", "ReplicaSet", "apps", "v1", "replicasets", true, "ReplicaSets"),
  deploy: k("deploy", "Deployment", "apps", "v1", "deployments", true, "Deployments"),
  nodes: k("nodes", "Node", "", "v1", "nodes", false, "Hosts"),
  events: k("events", "Event", "", "v1", "events", true, "Events"),
  namespaces: k("namespaces", "Namespace", "", "v1", "namespaces", false, "Namespaces"),
} as const satisfies Record<string, Kind>;

export type KindKey = keyof typeof KINDS;

/** The workload kinds, in the order the workloads view shows them. */
export const WORKLOAD_KINDS: KindKey[] = ["vms", "vmis", "vmirs", "pods", "rs", "deploy"];

/** The collection path of `kind`, in `namespace` or across all namespaces. */
export function collectionPath(kind: Kind, namespace?: string): string {
  const base = kind.group === "" ? `/api/${kind.version}` : `/apis/${kind.group}/${kind.version}`;
  return kind.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${kind.plural}` : `${base}/${kind.plural}`;
}

/** The path of one object. */
export function objectPath(kind: Kind, name: string, namespace?: string): string {
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
}

/** The kind whose Kubernetes kind name is `name`. */
export function kindByName(name: string): Kind | undefined {
  return Object.values(KINDS).find((x) => x.kind === name);
}

/** The kind for a key from a URL. */
export function kindByKey(key: string): Kind | undefined {
  return (KINDS as Record<string, Kind>)[key];
}
