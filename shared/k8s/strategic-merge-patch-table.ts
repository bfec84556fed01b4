/**
 * @module
 * The one table of strategic-merge-patch metadata for every built-in kind we
 * serve, transcribed from the `patchStrategy` / `patchMergeKey` struct tags of
 * k8s.io/api (core/v1, apps/v1, policy/v1, rbac/v1) and ObjectMeta. A list
 * not named here is atomic: a patch replaces it whole (Node `spec.taints`,
 * RBAC `rules` and `subjects`, LimitRange `spec.limits`, ResourceQuota
 * `spec.scopes`, ServiceAccount `imagePullSecrets`, PodSpec `tolerations`).
 *
 * Custom resources have no struct tags, so upstream answers a strategic merge
 * patch to them with 415 UnsupportedMediaType: the KubeVirt groups (served
 * here as upstream serves them, as CRDs) get no entry and so the same 415.
 * @see https://github.com/kubernetes/api/blob/master/core/v1/types.go
 */
import type { PatchMeta, PatchMetaEntry } from "./resource-kind";
import { objectMetaPatchMeta, podPatchMeta, podStatusPatchMeta } from "./strategic-merge-patch-meta";

const byType: PatchMetaEntry = { strategy: "merge", mergeKey: "type" };
const byName: PatchMetaEntry = { strategy: "merge", mergeKey: "name" };
const asSet: PatchMetaEntry = { strategy: "merge" };

/** Extra entries per kind ("apiVersion/Kind"), beyond the object's own ObjectMeta that every kind has. */
const KIND_PATCH_META: Readonly<Record<string, PatchMeta>> = {
  "v1/Namespace": {
    "status.conditions": byType,
  },
  "v1/Node": {
    "spec.podCIDRs": asSet,
    // No tag upstream: `kubectl taint` therefore sends the whole list. Listed to make that explicit.
    "spec.taints": { strategy: "replace" },
    "status.conditions": byType,
    "status.addresses": byType,
  },
  "v1/Pod": {
    ...podPatchMeta("spec"),
    ...podStatusPatchMeta("status"),
  },
  "v1/ServiceAccount": {
    "secrets": byName,
  },
  "apps/v1/ReplicaSet": {
    ...objectMetaPatchMeta("spec.template.metadata"),
    ...podPatchMeta("spec.template.spec"),
    "status.conditions": byType,
  },
  "apps/v1/Deployment": {
    ...objectMetaPatchMeta("spec.template.metadata"),
    ...podPatchMeta("spec.template.spec"),
    "status.conditions": byType,
  },
  "policy/v1/PodDisruptionBudget": {
    "status.conditions": byType,
  },
};

/**
 * Groups served as custom resources upstream (no strategic merge patch: 415).
 * `kubevirt.io` and its sub-groups (`pool.kubevirt.io`, `subresources.kubevirt.io`, …).
 */
export function isCustomResourceGroup(group: string): boolean {
  return group === "kubevirt.io" || group.endsWith(".kubevirt.io");
}

/**
 * The strategic-merge-patch metadata of a kind: its ObjectMeta merge keys plus
 * the kind's own entries, or undefined for a custom resource (415).
 * @example patchMetaOf({ group: "", version: "v1", kind: "Node" })["status.addresses"] // → { strategy: "merge", mergeKey: "type" }
 */
export function patchMetaOf(k: { group: string; version: string; kind: string }): PatchMeta | undefined {
  if (isCustomResourceGroup(k.group)) return undefined;
  const apiVersion = k.group ? `${k.group}/${k.version}` : k.version;
  const own = Object.hasOwn(KIND_PATCH_META, `${apiVersion}/${k.kind}`) ? KIND_PATCH_META[`${apiVersion}/${k.kind}`] : undefined;
  return { ...objectMetaPatchMeta("metadata"), ...own };
}
