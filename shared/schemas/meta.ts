/**
 * @module
 * Schemas shared by every kind: ObjectMeta, OwnerReference, LabelSelector,
 * conditions, quantities and free-form sub-trees, plus the strategy shape each
 * kind module exports. Names follow apimachinery's `meta/v1` types and the
 * OpenAPI component names kube-apiserver publishes.
 */
import { z } from "zod";
import type { StatusCause } from "../k8s/errors";
import type { KubeObject } from "../k8s/object";
import { ERR_FORMAT_WRONG, isValidQuantity } from "../k8s/quantity";

/** Component-name prefix of apimachinery's meta/v1 types in kube-apiserver's OpenAPI. */
export const META_V1 = "io.k8s.apimachinery.pkg.apis.meta.v1";

/**
 * A sub-tree the server stores but never interprets (affinity, securityContext,
 * volume sources, KubeVirt devices…). Everything users write is kept,
 * including nulls, and OpenAPI marks it `x-kubernetes-preserve-unknown-fields`
 * as CRDs do for such fields.
 */
export function freeForm(description: string) {
  return z
    .record(z.string(), z.unknown())
    .meta({ description, "x-kubernetes-preserve-unknown-fields": true });
}

/** A list of free-form objects (e.g. `hostAliases`, `topologySpreadConstraints`). */
export function freeFormList(description: string) {
  return z.array(z.record(z.string(), z.unknown())).meta({ description });
}

/** Marks the zod issue of a malformed quantity, so decoding can word it per kind. */
export const QUANTITY_ISSUE = "quantity";

/**
 * `resource.Quantity`: `"500m"`, `"1Gi"` or a bare JSON number. Malformed
 * strings fail decoding, as upstream's JSON decoder (built-in kinds) and CRD
 * pattern (KubeVirt) reject them.
 */
export const QuantitySchema = z
  .union([z.string(), z.number()])
  .refine((q) => isValidQuantity(q), { message: ERR_FORMAT_WRONG, params: { [QUANTITY_ISSUE]: true } })
  .meta({
  id: "io.k8s.apimachinery.pkg.api.resource.Quantity",
  description:
    "A fixed-point number with an optional suffix, e.g. `500m` (0.5), `2`, `128Mi` (binary) or `1G` (decimal).",
  "x-kubernetes-int-or-string": true,
});

/** `ResourceList`: resource name → quantity. */
export const ResourceListSchema = z.record(z.string(), QuantitySchema);

/** `intstr.IntOrString`. */
export const IntOrStringSchema = z.union([z.number().int(), z.string()]).meta({
  id: "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
  description: "An int32 or a string.",
  "x-kubernetes-int-or-string": true,
});

/** A `metav1.Time` (RFC 3339, seconds precision) as JSON carries it. */
export const TimeSchema = z.string().meta({ description: "RFC 3339 date and time.", format: "date-time" });

/** `metav1.OwnerReference`. */
export const OwnerReferenceSchema = z
  .object({
    apiVersion: z.string().optional().describe("API version of the referent."),
    kind: z.string().optional().describe("Kind of the referent."),
    name: z.string().optional().describe("Name of the referent."),
    uid: z.string().optional().describe("UID of the referent."),
    controller: z.boolean().optional().describe("If true, this reference points to the managing controller."),
    blockOwnerDeletion: z
      .boolean()
      .optional()
      .describe("If true, the owner cannot be deleted from the key-value store until this reference is removed."),
  })
  .meta({ id: `${META_V1}.OwnerReference`, description: "Identifies an owning object, which must be in the same namespace." });

/** `metav1.ObjectMeta`: what every persisted object has. */
export const ObjectMetaSchema = z
  .object({
    name: z.string().optional().describe("Name must be unique within a namespace. Cannot be updated."),
    generateName: z
      .string()
      .optional()
      .describe("Prefix the server uses to generate a unique name when `name` is not provided."),
    namespace: z.string().optional().describe("The namespace the object lives in. Cannot be updated."),
    selfLink: z.string().optional().describe("Deprecated: not set by the server."),
    uid: z.string().optional().describe("Unique in time and space; set by the server on create. Read-only."),
    resourceVersion: z
      .string()
      .optional()
      .describe("Opaque version of this object, for optimistic concurrency and watches. Read-only."),
    generation: z.number().int().optional().describe("Sequence number of a specific generation of the desired state. Read-only."),
    creationTimestamp: TimeSchema.optional().describe("When the object was created. Read-only."),
    deletionTimestamp: TimeSchema.optional().describe("When the object will be deleted; set when deletion is requested. Read-only."),
    deletionGracePeriodSeconds: z
      .number()
      .int()
      .optional()
      .describe("Seconds allowed for graceful termination before the object is removed. Read-only."),
    labels: z
      .record(z.string(), z.string())
      .optional()
      .describe("Map of string keys and values used to organize and select objects."),
    annotations: z
      .record(z.string(), z.string())
      .optional()
      .describe("Unstructured key-value map stored with the object, for tools and controllers."),
    ownerReferences: z.array(OwnerReferenceSchema).optional().describe("Objects this object depends on."),
    finalizers: z
      .array(z.string())
      .optional()
      .describe("Must be empty before the object is removed. Each entry names a component that will remove it."),
    managedFields: z
      .array(z.record(z.string(), z.unknown()))
      .optional()
      .describe("Field ownership for server-side apply; maintained by the server."),
  })
  .meta({
    id: `${META_V1}.ObjectMeta`,
    description: "Metadata that all persisted resources must have, including name, namespace, labels and annotations.",
  });

/** `metav1.LabelSelectorRequirement`. */
export const LabelSelectorRequirementSchema = z
  .object({
    key: z.string().describe("The label key that the selector applies to."),
    operator: z.string().describe("One of In, NotIn, Exists and DoesNotExist."),
    values: z.array(z.string()).optional().describe("Values for In and NotIn; must be empty for Exists and DoesNotExist."),
  })
  .meta({ id: `${META_V1}.LabelSelectorRequirement`, description: "A selector requirement: a key, an operator and values." });

/** `metav1.LabelSelector`. */
export const LabelSelectorSchema = z
  .object({
    matchLabels: z
      .record(z.string(), z.string())
      .optional()
      .describe("Each {key,value} pair is an `In` requirement with a single value; requirements are ANDed."),
    matchExpressions: z.array(LabelSelectorRequirementSchema).optional().describe("Label selector requirements, ANDed."),
  })
  .meta({
    id: `${META_V1}.LabelSelector`,
    description: "A label query over a set of resources. An empty selector matches everything; a null one matches nothing.",
  });

/** Fields a condition can carry; each kind picks its own subset of timestamps. */
const CONDITION_FIELDS = {
  type: z.string().describe("Type of the condition."),
  status: z.string().describe("Status of the condition: True, False or Unknown."),
  reason: z.string().optional().describe("Unique, one-word, CamelCase reason for the last transition."),
  message: z.string().optional().describe("Human-readable message about the last transition."),
  lastTransitionTime: TimeSchema.optional().describe("Last time the condition changed from one status to another."),
  lastProbeTime: TimeSchema.optional().describe("Last time the condition was probed."),
  lastHeartbeatTime: TimeSchema.optional().describe("Last time the condition was reported."),
  lastUpdateTime: TimeSchema.optional().describe("Last time the condition was updated."),
  observedGeneration: z.number().int().optional().describe("The metadata.generation the condition was set for."),
};

type ConditionField = keyof typeof CONDITION_FIELDS;
type TimestampField = Exclude<ConditionField, "type" | "status" | "reason" | "message">;

/**
 * A condition schema named `id` with `type`, `status`, `reason`, `message`
 * and the given timestamp fields, as each upstream condition type has.
 */
export function conditionSchema<const T extends readonly TimestampField[]>(id: string, description: string, extra: T) {
  const shape = {
    type: CONDITION_FIELDS.type,
    status: CONDITION_FIELDS.status,
    reason: CONDITION_FIELDS.reason,
    message: CONDITION_FIELDS.message,
    ...(Object.fromEntries(extra.map((k) => [k, CONDITION_FIELDS[k]])) as Pick<typeof CONDITION_FIELDS, T[number]>),
  };
  return z.object(shape).meta({ id, description });
}

/** The type-meta and metadata every top-level kind starts with. */
export function typeAndObjectMeta(kind: string) {
  return {
    apiVersion: z
      .string()
      .describe(
        "APIVersion defines the versioned schema of this representation of an object. " +
          "Servers convert recognized schemas to the latest internal value.",
      ),
    kind: z
      .string()
      .describe(`Kind is a string value representing the REST resource this object represents (here \`${kind}\`). In CamelCase.`),
    metadata: ObjectMetaSchema.describe("Standard object's metadata."),
  };
}

/**
 * The per-kind strategy the REST layer copies into a `ResourceKind`: the
 * schema plus upstream's defaulting and validation (`rest.RESTCreateStrategy`).
 */
export interface KindStrategy<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** Fills defaults in place, as upstream's defaulters (and, for KubeVirt, its mutating webhook). */
  applyDefaults(obj: KubeObject): void;
  /** Semantic validation; `old` is set on updates. */
  validate(obj: KubeObject, old?: KubeObject): StatusCause[];
}

/**
 * Views a decoded object as its kind's type. Only sound for objects that went
 * through the kind's schema (`decodeObject`), which every write path does.
 */
export function asKind<T>(obj: KubeObject): T {
  return obj as unknown as T;
}
