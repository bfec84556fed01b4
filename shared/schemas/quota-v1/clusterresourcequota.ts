/**
 * @module
 * `quota.duraplane.io/v1` ClusterResourceQuota: one quota shared by every
 * namespace its selector matches, shaped as OpenShift's
 * `quota.openshift.io/v1` ClusterResourceQuota (spec.selector {labels,
 * annotations}, spec.quota a ResourceQuotaSpec; status.total and
 * status.namespaces[] with each namespace's share).
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import { validateLabelSelectorObject } from "../../k8s/labels";
import type { KubeObject } from "../../k8s/object";
import { validateObjectMeta } from "../../k8s/validation";
import { ResourceQuotaSpecSchema, ResourceQuotaStatusSchema, validateResourceQuotaSpec } from "../core-v1/resourcequota";
import { asKind, LabelSelectorSchema, typeAndObjectMeta, type KindStrategy } from "../meta";

/** Component-name prefix of this group's types. */
export const QUOTA_DURAPLANE_V1 = "io.duraplane.quota.v1";

/** `ClusterResourceQuotaSelector`. */
export const ClusterResourceQuotaSelectorSchema = z
  .object({
    labels: LabelSelectorSchema.optional().describe("Selects namespaces by label; null matches nothing."),
    annotations: z.record(z.string(), z.string()).optional().describe("Selects namespaces whose annotations include all of these."),
  })
  .meta({ id: `${QUOTA_DURAPLANE_V1}.ClusterResourceQuotaSelector`, description: "Which namespaces share the quota; both parts must match." });

/** `ClusterResourceQuota`. */
export const ClusterResourceQuotaSchema = z
  .object({
    ...typeAndObjectMeta("ClusterResourceQuota"),
    spec: z
      .object({
        selector: ClusterResourceQuotaSelectorSchema.describe("The namespaces the quota spans."),
        quota: ResourceQuotaSpecSchema.describe("The quota, shared by every selected namespace."),
      })
      .optional()
      .describe("The desired quota."),
    status: z
      .object({
        total: ResourceQuotaStatusSchema.optional().describe("Hard and used across every selected namespace."),
        namespaces: z
          .array(z.object({ namespace: z.string(), status: ResourceQuotaStatusSchema }))
          .optional()
          .describe("What each selected namespace uses of the quota."),
      })
      .optional()
      .describe("The actual enforced quota and its usage."),
  })
  .meta({
    id: `${QUOTA_DURAPLANE_V1}.ClusterResourceQuota`,
    description: "ClusterResourceQuota mirrors ResourceQuota at cluster scope, shared by the namespaces its selector matches.",
    "x-kubernetes-group-version-kind": [{ group: "quota.duraplane.io", version: "v1", kind: "ClusterResourceQuota" }],
  });

/** A ClusterResourceQuota. */
export type ClusterResourceQuota = z.infer<typeof ClusterResourceQuotaSchema>;

/** Validation: cluster-scoped name, the selector, and the quota as a ResourceQuotaSpec. */
export function validateClusterResourceQuota(crq: ClusterResourceQuota): StatusCause[] {
  const causes = validateObjectMeta(crq.metadata as KubeObject["metadata"], { namespaced: false });
  causes.push(...validateLabelSelectorObject(crq.spec?.selector.labels, "spec.selector.labels"));
  causes.push(...validateResourceQuotaSpec(crq.spec?.quota, "spec.quota"));
  return causes;
}

/** The ClusterResourceQuota strategy. */
export const clusterResourceQuotaStrategy: KindStrategy<typeof ClusterResourceQuotaSchema> = {
  schema: ClusterResourceQuotaSchema,
  applyDefaults(): void {},
  validate(obj: KubeObject): StatusCause[] {
    return validateClusterResourceQuota(asKind<ClusterResourceQuota>(obj));
  },
};
