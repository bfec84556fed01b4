/**
 * @module
 * Strategic-merge-patch metadata for the built-in types we serve, transcribed
 * from the `patchStrategy` / `patchMergeKey` struct tags of k8s.io/api/core/v1
 * (PodSpec, Container, EphemeralContainerCommon, PodStatus) and
 * k8s.io/apimachinery/pkg/apis/meta/v1 (ObjectMeta). A list without a tag is
 * atomic: the patch replaces it (e.g. `tolerations`, `args`, `resizePolicy`).
 */
import type { PatchMeta } from "./resource-kind";

const byName = { strategy: "merge", mergeKey: "name" } as const;

/** The container lists of a PodSpec; all are merged by `name`. */
const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;

/**
 * The merge keys of a PodSpec at `prefix` (`spec` for a Pod,
 * `spec.template.spec` for a ReplicaSet), plus those of the object's own
 * `metadata` (see {@link objectMetaPatchMeta}).
 * @example podPatchMeta("spec")["spec.containers[].env"] // → { strategy: "merge", mergeKey: "name" }
 */
export function podPatchMeta(prefix: string): PatchMeta {
  const meta: PatchMeta = {
    ...objectMetaPatchMeta("metadata"),
    // patchStrategy:"merge,retainKeys": `$retainKeys` is honoured wherever a patch carries it.
    [`${prefix}.volumes`]: byName,
    [`${prefix}.imagePullSecrets`]: byName,
    [`${prefix}.hostAliases`]: { strategy: "merge", mergeKey: "ip" },
    [`${prefix}.topologySpreadConstraints`]: { strategy: "merge", mergeKey: "topologyKey" },
    [`${prefix}.schedulingGates`]: byName,
    [`${prefix}.resourceClaims`]: byName,
    // No tag upstream: tolerations are replaced whole. Listed to make that explicit.
    [`${prefix}.tolerations`]: { strategy: "replace" },
  };
  for (const list of CONTAINER_LISTS) {
    const container = `${prefix}.${list}`;
    meta[container] = byName;
    meta[`${container}[].ports`] = { strategy: "merge", mergeKey: "containerPort" };
    meta[`${container}[].env`] = byName;
    meta[`${container}[].volumeMounts`] = { strategy: "merge", mergeKey: "mountPath" };
    meta[`${container}[].volumeDevices`] = { strategy: "merge", mergeKey: "devicePath" };
  }
  return meta;
}

/**
 * The merge keys of an ObjectMeta at `prefix` (`metadata`, or
 * `spec.template.metadata` inside a template): `ownerReferences` by `uid`,
 * `finalizers` as a merged list of strings.
 */
export function objectMetaPatchMeta(prefix: string): PatchMeta {
  return {
    [`${prefix}.ownerReferences`]: { strategy: "merge", mergeKey: "uid" },
    [`${prefix}.finalizers`]: { strategy: "merge" },
  };
}

/**
 * The merge keys of a PodStatus at `prefix` (normally `status`), used by
 * patches to `pods/status`: conditions by `type`, podIPs and hostIPs by `ip`,
 * resourceClaimStatuses by `name`. Container statuses have no tag (replaced).
 */
export function podStatusPatchMeta(prefix: string): PatchMeta {
  return {
    [`${prefix}.conditions`]: { strategy: "merge", mergeKey: "type" },
    [`${prefix}.podIPs`]: { strategy: "merge", mergeKey: "ip" },
    [`${prefix}.hostIPs`]: { strategy: "merge", mergeKey: "ip" },
    [`${prefix}.resourceClaimStatuses`]: byName,
  };
}
