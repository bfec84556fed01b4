/**
 * @module
 * `v1` ServiceAccount: schema and `ValidateServiceAccount` (an object-meta
 * check with a DNS-1123 subdomain name; upstream validates nothing else in
 * it). No defaults and no status, as upstream.
 *
 * @see https://github.com/kubernetes/kubernetes/blob/v1.32.0/pkg/apis/core/validation/validation.go (ValidateServiceAccount)
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import type { KubeObject } from "../../k8s/object";
import { validateObjectMeta } from "../../k8s/validation";
import { asKind, typeAndObjectMeta, type KindStrategy } from "../meta";
import { CORE_V1 } from "./container";
import { ObjectReferenceSchema } from "./event";
import { LocalObjectReferenceSchema } from "./pod-spec";

/** `v1` ServiceAccount. */
export const ServiceAccountSchema = z
  .object({
    ...typeAndObjectMeta("ServiceAccount"),
    secrets: z
      .array(ObjectReferenceSchema)
      .optional()
      .describe("Secrets in the same namespace that pods running as this ServiceAccount may use."),
    imagePullSecrets: z
      .array(LocalObjectReferenceSchema)
      .optional()
      .describe("Secrets in the same namespace used to pull the images of pods running as this ServiceAccount."),
    automountServiceAccountToken: z
      .boolean()
      .optional()
      .describe("Whether pods running as this ServiceAccount get an API token mounted; a pod may override it."),
  })
  .meta({
    id: `${CORE_V1}.ServiceAccount`,
    description:
      "ServiceAccount binds together a name understood by users and peripheral systems, a principal that can be authenticated and authorized, and a set of secrets.",
    "x-kubernetes-group-version-kind": [{ group: "", version: "v1", kind: "ServiceAccount" }],
  });

/** A v1 ServiceAccount. */
export type ServiceAccount = z.infer<typeof ServiceAccountSchema>;

/** `ValidateServiceAccount` / `ValidateServiceAccountUpdate` (the meta update rules are the store's). */
export function validateServiceAccount(sa: ServiceAccount): StatusCause[] {
  return validateObjectMeta(sa.metadata as KubeObject["metadata"], { namespaced: true });
}

/** The ServiceAccount strategy (no defaults). */
export const serviceAccountStrategy: KindStrategy<typeof ServiceAccountSchema> = {
  schema: ServiceAccountSchema,
  applyDefaults(): void {},
  validate(obj: KubeObject): StatusCause[] {
    return validateServiceAccount(asKind<ServiceAccount>(obj));
  },
};
