/**
 * @module
 * NodeRestriction's admission of a node's write to its own Node (upstream's
 * plugin/pkg/admission/noderestriction admitNode), run by the Node's store
 * on the state the write would produce, so a patch is judged by its result:
 * - a node writes only the Node of its own name;
 * - it may not add, change or remove taints (they keep workloads away from
 *   it; dropping them would steer those workloads to itself);
 * - it may not set, change or remove labels under `node-restriction.kubernetes.io/`,
 *   nor `kubernetes.io` / `k8s.io` labels outside the set the kubelet sets
 *   itself (hostname, os, arch, zone, region, instance type, and the
 *   `kubelet.kubernetes.io` / `node.kubernetes.io` namespaces).
 * Messages are upstream's, including the one that names no node.
 */
import { ApiError } from "../../shared/k8s/errors";
import { jsonEqual } from "../../shared/k8s/json-value";
import type { Json, KubeObject } from "../../shared/k8s/object";

/** Labels the kubelet sets on its own Node (k8s.io/kubelet/pkg/apis well_known_labels). */
const KUBELET_LABELS: ReadonlySet<string> = new Set([
  "kubernetes.io/hostname",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "kubernetes.io/os",
  "kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/arch",
]);

/** Label namespaces a kubelet may set under, themselves or as a suffix. */
const KUBELET_LABEL_NAMESPACES = ["kubelet.kubernetes.io", "node.kubernetes.io"];
const NODE_RESTRICTION_NAMESPACE = "node-restriction.kubernetes.io";

function labelNamespace(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? "" : key.slice(0, slash);
}

const within = (ns: string, domain: string): boolean => ns === domain || ns.endsWith(`.${domain}`);

/** Whether a node may set, change or remove label `key` on itself. */
export function nodeMaySetLabel(key: string): boolean {
  const ns = labelNamespace(key);
  if (within(ns, NODE_RESTRICTION_NAMESPACE)) return false;
  const kubernetes = within(ns, "kubernetes.io") || within(ns, "k8s.io");
  if (!kubernetes) return true;
  return KUBELET_LABELS.has(key) || KUBELET_LABEL_NAMESPACES.some((allowed) => within(ns, allowed));
}

/** Keys whose value differs between the two label maps (added, changed or removed), sorted. */
function modifiedLabels(a: Readonly<Record<string, string>> = {}, b: Readonly<Record<string, string>> = {}): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]).sort();
}

/** Taints as compared upstream (Semantic.DeepEqual: a missing list equals an empty one). */
function taintsOf(node: KubeObject | undefined): Json {
  const taints = (node?.spec as { taints?: Json } | undefined)?.taints;
  return Array.isArray(taints) && taints.length > 0 ? taints : [];
}

/** upstream's admission.NewForbidden for a Node: `nodes "<name>" is forbidden: <why>`. */
function forbiddenNode(name: string, why: string): ApiError {
  return new ApiError(403, "Forbidden", `nodes "${name}" is forbidden: ${why}`, { name, kind: "nodes" });
}

/**
 * Admits (or throws 403 for) node `writer` turning Node `name` from `old`
 * (undefined for a create) into `next`.
 */
export function admitNodeWrite(writer: string, name: string, old: KubeObject | undefined, next: KubeObject): void {
  if (name !== writer) throw forbiddenNode(name, `node "${writer}" is not allowed to modify node "${name}"`);
  if (old === undefined) {
    const refused = modifiedLabels(next.metadata.labels, undefined).filter((k) => !nodeMaySetLabel(k));
    if (refused.length > 0) throw forbiddenNode(name, `node "${writer}" is not allowed to set the following labels: ${refused.join(", ")}`);
    return;
  }
  if (!jsonEqual(taintsOf(next), taintsOf(old))) throw forbiddenNode(name, `node "${writer}" is not allowed to modify taints`);
  const refused = modifiedLabels(next.metadata.labels, old.metadata.labels).filter((k) => !nodeMaySetLabel(k));
  // Upstream's message for an update names no node.
  if (refused.length > 0) throw forbiddenNode(name, `is not allowed to modify labels: ${refused.join(", ")}`);
}
