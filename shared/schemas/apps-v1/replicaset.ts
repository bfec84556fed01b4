/**
 * @module
 * `apps/v1` ReplicaSet: schema, defaulting (SetDefaults_ReplicaSet: replicas
 * 1, template PodSpec defaults) and validation (`ValidateReplicaSet`,
 * `ValidateReplicaSetUpdate` with the apps/v1 immutable selector) from
 * `pkg/apis/apps/validation/validation.go` and the registry strategy.
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import { jsonEqual } from "../../k8s/json-value";
import { labelSelectorFromObject, validateLabelSelectorObject, type Selector } from "../../k8s/labels";
import type { Json, KubeObject } from "../../k8s/object";
import { GoSyntax, invalidValue, notSupported, required, validateObjectMeta } from "../../k8s/validation";
import { PodTemplateSpecSchema } from "../core-v1/pod-spec";
import { defaultPodSpec } from "../core-v1/pod-spec-defaults";
import { validatePodTemplateSpec } from "../core-v1/pod-spec-validation";
import { goLabelSelector, goStringMap } from "../go-syntax";
import { asKind, conditionSchema, LabelSelectorSchema, typeAndObjectMeta, type KindStrategy } from "../meta";

const APPS_V1 = "io.k8s.api.apps.v1";

/** `apps/v1` ReplicaSet. */
export const ReplicaSetSchema = z
  .object({
    ...typeAndObjectMeta("ReplicaSet"),
    spec: z
      .object({
        replicas: z
          .number()
          .int()
          .optional()
          .describe("Number of desired pods. Defaults to 1. Zero scales the set down to no pods."),
        minReadySeconds: z
          .number()
          .int()
          .optional()
          .describe("Seconds a new pod must be ready, without crashing, to count as available. Defaults to 0."),
        selector: LabelSelectorSchema.describe(
          "Label query over pods that should match the replica count. Must match the template's labels.",
        ),
        template: PodTemplateSpecSchema.optional().describe("Template of the pods created when too few are found."),
      })
      .meta({ id: `${APPS_V1}.ReplicaSetSpec`, description: "The specification of a ReplicaSet." })
      .optional()
      .describe("Spec defines the desired behavior of the ReplicaSet."),
    status: z
      .object({
        replicas: z.number().int().optional().describe("The most recently observed number of non-terminating replicas."),
        fullyLabeledReplicas: z.number().int().optional().describe("Number of pods whose labels match the template's labels."),
        readyReplicas: z.number().int().optional().describe("Number of pods with a Ready condition."),
        availableReplicas: z.number().int().optional().describe("Number of pods ready for at least minReadySeconds."),
        terminatingReplicas: z.number().int().optional().describe("Number of terminating pods (deletionTimestamp set)."),
        observedGeneration: z.number().int().optional().describe("The generation of the most recently observed ReplicaSet."),
        conditions: z
          .array(
            conditionSchema(`${APPS_V1}.ReplicaSetCondition`, "The state of a replica set at a certain point.", [
              "lastTransitionTime",
            ] as const),
          )
          .optional()
          .describe("Latest available observations of the replica set's state, e.g. ReplicaFailure."),
      })
      .meta({ id: `${APPS_V1}.ReplicaSetStatus`, description: "The current status of a ReplicaSet." })
      .optional()
      .describe("The most recently observed status of the ReplicaSet. Read-only; written by the controller."),
  })
  .meta({
    id: `${APPS_V1}.ReplicaSet`,
    description: "ReplicaSet ensures that a specified number of pod replicas are running at any given time.",
    "x-kubernetes-group-version-kind": [{ group: "apps", version: "v1", kind: "ReplicaSet" }],
  });

/** An apps/v1 ReplicaSet. */
export type ReplicaSet = z.infer<typeof ReplicaSetSchema>;

/** SetDefaults_ReplicaSet: replicas 1; the template's pod spec gets the PodSpec defaults. */
export function defaultReplicaSet(rs: ReplicaSet): void {
  const spec = rs.spec;
  // Without a spec there is no selector to default around; validation reports it.
  if (!spec) return;
  if (spec.replicas === undefined) spec.replicas = 1;
  const template = (spec.template ??= {});
  defaultPodSpec((template.spec ??= { containers: [] }));
}

const NEGATIVE = "must be greater than or equal to 0";

/**
 * `ValidatePodTemplateSpecForReplicaSet`: selector matches labels, Always restart, no deadline.
 * Deployments validate their template with it too (ValidateDeploymentSpec).
 */
export function validateTemplateForReplicaSet(rs: Pick<NonNullable<ReplicaSet["spec"]>, "template">, selector: Selector): StatusCause[] {
  const path = "spec.template";
  const template = rs.template;
  const causes: StatusCause[] = [];
  const labels = template?.metadata?.labels;
  if (!selector.empty() && !selector.matches(labels)) {
    causes.push(invalidValue(`${path}.metadata.labels`, new GoSyntax(goStringMap(labels)), "`selector` does not match template `labels`"));
  }
  causes.push(...validatePodTemplateSpec(template, path));
  const restartPolicy = template?.spec?.restartPolicy ?? "";
  if (restartPolicy !== "Always") causes.push(notSupported(`${path}.spec.restartPolicy`, restartPolicy, ["Always"]));
  const deadline = template?.spec?.activeDeadlineSeconds;
  if (deadline !== undefined) {
    causes.push(invalidValue(`${path}.spec.activeDeadlineSeconds`, deadline, "activeDeadlineSeconds in ReplicaSet is not Supported"));
  }
  return causes;
}

/** `ValidateReplicaSetSpec`. */
function validateReplicaSetSpec(spec: NonNullable<ReplicaSet["spec"]>): StatusCause[] {
  const causes: StatusCause[] = [];
  const replicas = spec.replicas ?? 1;
  if (replicas < 0) causes.push(invalidValue("spec.replicas", replicas, NEGATIVE));
  const minReady = spec.minReadySeconds ?? 0;
  if (minReady < 0) causes.push(invalidValue("spec.minReadySeconds", minReady, NEGATIVE));
  const sel = spec.selector;
  causes.push(...validateLabelSelectorObject(sel, "spec.selector"));
  if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
    causes.push(invalidValue("spec.selector", sel, "empty selector is invalid for deployment"));
  }
  let selector: Selector;
  try {
    selector = labelSelectorFromObject(sel);
  } catch {
    causes.push(invalidValue("spec.selector", sel, "invalid label selector"));
    return causes;
  }
  causes.push(...validateTemplateForReplicaSet(spec, selector));
  return causes;
}

/** `ValidateReplicaSet` / `ValidateReplicaSetUpdate` (apps/v1: the selector is immutable). */
export function validateReplicaSet(rs: ReplicaSet, old?: ReplicaSet): StatusCause[] {
  const causes = validateObjectMeta(rs.metadata as KubeObject["metadata"], { namespaced: true });
  const spec = rs.spec;
  if (!spec) {
    causes.push(required("spec.selector"));
    return causes;
  }
  causes.push(...validateReplicaSetSpec(spec));
  if (old?.spec && !jsonEqual(spec.selector as Json, old.spec.selector as Json)) {
    causes.push(invalidValue("spec.selector", new GoSyntax(goLabelSelector(spec.selector)), "field is immutable"));
  }
  return causes;
}

/** The ReplicaSet strategy. */
export const replicaSetStrategy: KindStrategy<typeof ReplicaSetSchema> = {
  schema: ReplicaSetSchema,
  applyDefaults(obj: KubeObject): void {
    defaultReplicaSet(asKind<ReplicaSet>(obj));
  },
  validate(obj: KubeObject, old?: KubeObject): StatusCause[] {
    return validateReplicaSet(asKind<ReplicaSet>(obj), old ? asKind<ReplicaSet>(old) : undefined);
  },
};
