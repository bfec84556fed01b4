/**
 * @module
 * The resource names and scopes a ResourceQuota may name
 * (pkg/apis/core/helper/helpers.go: IsStandardQuotaResourceName,
 * IsStandardResourceQuotaScope, IsResourceQuotaScopeValidForResource).
 */

/** Names that carry whole numbers only (`IsIntegerResourceName`). */
export const INTEGER_QUOTA_RESOURCES: ReadonlySet<string> = new Set([
  "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
  "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
]);

const STANDARD_QUOTA_RESOURCES: ReadonlySet<string> = new Set([
  ...INTEGER_QUOTA_RESOURCES,
  "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
  "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
]);

/** `IsStandardQuotaResourceName` (hugepages included). */
export function isStandardQuotaResourceName(name: string): boolean {
  return STANDARD_QUOTA_RESOURCES.has(name) || name.startsWith("hugepages-") || name.startsWith("requests.hugepages-");
}

/** The scopes upstream serves (`IsStandardResourceQuotaScope`). */
export const QUOTA_SCOPES = [
  "Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity",
  "VolumeAttributesClass",
] as const;

/** What a pod-tracking scope can limit: the pod count and compute resources (podObjectCountQuotaResources + podComputeQuotaResources). */
const POD_SCOPE_RESOURCES: ReadonlySet<string> = new Set([
  "pods", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
  "limits.cpu", "limits.memory", "limits.ephemeral-storage",
]);

/** `IsResourceQuotaScopeValidForResource`: BestEffort tracks only `pods`; the others pods and compute. */
export function isScopeValidForResource(scope: string, resource: string): boolean {
  if (scope === "BestEffort") return resource === "pods" || resource === "count/pods";
  if (scope === "VolumeAttributesClass") return resource === "persistentvolumeclaims" || resource.startsWith("requests.storage");
  return POD_SCOPE_RESOURCES.has(resource) || resource === "count/pods" || resource.startsWith("hugepages-") ||
    resource.startsWith("requests.hugepages-");
}
