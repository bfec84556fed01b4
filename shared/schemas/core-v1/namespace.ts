/**
 * @module
 * `v1` Namespace: schema, defaulting (SetDefaults_Namespace's name label,
 * the strategy's `kubernetes` spec finalizer, SetDefaults_NamespaceStatus's
 * Active phase) and validation (`ValidateNamespace`: a DNS-1123 label name).
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import type { KubeObject } from "../../k8s/object";
import { invalidValue, isQualifiedName, validateObjectMeta } from "../../k8s/validation";
import { asKind, conditionSchema, typeAndObjectMeta, type KindStrategy } from "../meta";
import { CORE_V1 } from "./container";

/** `v1` Namespace. */
export const NamespaceSchema = z
  .object({
    ...typeAndObjectMeta("Namespace"),
    spec: z
      .object({
        finalizers: z
          .array(z.string())
          .optional()
          .describe("Values that must be empty before the namespace is permanently removed."),
      })
      .optional()
      .describe("Spec defines the behavior of the Namespace."),
    status: z
      .object({
        phase: z.string().optional().describe("Current lifecycle phase of the namespace: Active or Terminating."),
        conditions: z
          .array(
            conditionSchema(`${CORE_V1}.NamespaceCondition`, "The state of a namespace at a point in time.", [
              "lastTransitionTime",
            ] as const),
          )
          .optional()
          .describe("Latest available observations of the namespace's state."),
      })
      .optional()
      .describe("Status describes the current status of a Namespace. Read-only."),
  })
  .meta({
    id: `${CORE_V1}.Namespace`,
    description: "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
    "x-kubernetes-group-version-kind": [{ group: "", version: "v1", kind: "Namespace" }],
  });

/** A v1 Namespace. */
export type Namespace = z.infer<typeof NamespaceSchema>;

/** The label every namespace carries with its own name (since 1.21). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Fills the defaults upstream's defaulter and namespace strategy add on create. */
export function defaultNamespace(ns: Namespace): void {
  if (ns.metadata.name) {
    ns.metadata.labels = { ...ns.metadata.labels, [NAMESPACE_NAME_LABEL]: ns.metadata.name };
  }
  const spec = (ns.spec ??= {});
  if (!spec.finalizers) spec.finalizers = ["kubernetes"];
  const status = (ns.status ??= {});
  if (!status.phase) status.phase = "Active";
}

/** `ValidateNamespace` / `ValidateNamespaceUpdate`: cluster-scoped, DNS-label name, qualified finalizer names. */
export function validateNamespace(ns: Namespace): StatusCause[] {
  const causes = validateObjectMeta(ns.metadata as KubeObject["metadata"], { namespaced: false, nameIsDNSLabel: true });
  for (const f of ns.spec?.finalizers ?? []) {
    for (const msg of isQualifiedName(f)) causes.push(invalidValue("spec.finalizers", f, msg));
  }
  return causes;
}

/** The Namespace strategy. */
export const namespaceStrategy: KindStrategy<typeof NamespaceSchema> = {
  schema: NamespaceSchema,
  applyDefaults(obj: KubeObject): void {
    defaultNamespace(asKind<Namespace>(obj));
  },
  validate(obj: KubeObject): StatusCause[] {
    return validateNamespace(asKind<Namespace>(obj));
  },
};
