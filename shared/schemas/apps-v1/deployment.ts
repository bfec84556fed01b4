/**
 * @module
 * `apps/v1` Deployment: schema, defaulting (apps/v1 SetDefaults_Deployment:
 * replicas 1, strategy RollingUpdate 25%/25%, revisionHistoryLimit 10,
 * progressDeadlineSeconds 600, template PodSpec defaults) and validation
 * (`ValidateDeployment`, `ValidateDeploymentUpdate`: immutable selector) from
 * `pkg/apis/apps/validation/validation.go`.
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import { isValidPercent, type IntOrString } from "../../k8s/int-or-percent";
import { jsonEqual } from "../../k8s/json-value";
import { labelSelectorFromObject, nothing, validateLabelSelectorObject, type Selector } from "../../k8s/labels";
import type { Json, KubeObject } from "../../k8s/object";
import { forbidden, GoSyntax, invalidValue, notSupported, required, validateObjectMeta } from "../../k8s/validation";
import { PodTemplateSpecSchema } from "../core-v1/pod-spec";
import { defaultPodSpec } from "../core-v1/pod-spec-defaults";
import { goLabelSelector } from "../go-syntax";
import { asKind, conditionSchema, IntOrStringSchema, LabelSelectorSchema, typeAndObjectMeta, type KindStrategy } from "../meta";
import { validateTemplateForReplicaSet } from "./replicaset";

const APPS_V1 = "io.k8s.api.apps.v1";

/** The two strategy types (apps/v1 DeploymentStrategyType). */
export const DEPLOYMENT_STRATEGY_TYPES = ["Recreate", "RollingUpdate"] as const;

const RollingUpdateSchema = z
  .object({
    maxUnavailable: IntOrStringSchema.optional().describe(
      "Pods that can be unavailable during the update: a count or a percentage of desired pods (rounded down). Defaults to 25%.",
    ),
    maxSurge: IntOrStringSchema.optional().describe(
      "Pods that can be created above the desired count: a count or a percentage of desired pods (rounded up). Defaults to 25%.",
    ),
  })
  .meta({ id: `${APPS_V1}.RollingUpdateDeployment`, description: "Spec to control the desired behavior of rolling update." });

/** `apps/v1` Deployment. */
export const DeploymentSchema = z
  .object({
    ...typeAndObjectMeta("Deployment"),
    spec: z
      .object({
        replicas: z.number().int().optional().describe("Number of desired pods. Defaults to 1."),
        selector: LabelSelectorSchema.optional().describe(
          "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected. Must match the template's labels.",
        ),
        template: PodTemplateSpecSchema.optional().describe("Template describes the pods that will be created."),
        strategy: z
          .object({
            type: z.string().optional().describe('Type of deployment: "Recreate" or "RollingUpdate" (the default).'),
            rollingUpdate: RollingUpdateSchema.optional().describe("Rolling update config params; only with type RollingUpdate."),
          })
          .meta({ id: `${APPS_V1}.DeploymentStrategy`, description: "How to replace existing pods with new ones." })
          .optional()
          .describe("The deployment strategy to use to replace existing pods with new ones."),
        minReadySeconds: z.number().int().optional().describe("Seconds a new pod must be ready to count as available. Defaults to 0."),
        revisionHistoryLimit: z.number().int().optional().describe("Old ReplicaSets kept to allow rollback. Defaults to 10."),
        paused: z.boolean().optional().describe("Indicates that the deployment is paused."),
        progressDeadlineSeconds: z
          .number()
          .int()
          .optional()
          .describe("Seconds to make progress before the deployment is reported failed (ProgressDeadlineExceeded). Defaults to 600."),
      })
      .meta({ id: `${APPS_V1}.DeploymentSpec`, description: "The specification of the desired behavior of the Deployment." })
      .optional()
      .describe("Specification of the desired behavior of the Deployment."),
    status: z
      .object({
        observedGeneration: z.number().int().optional().describe("The generation observed by the deployment controller."),
        replicas: z.number().int().optional().describe("Total number of non-terminated pods targeted by this deployment."),
        updatedReplicas: z.number().int().optional().describe("Non-terminated pods that have the desired template spec."),
        readyReplicas: z.number().int().optional().describe("Pods targeted by this Deployment with a Ready condition."),
        availableReplicas: z.number().int().optional().describe("Available pods (ready for at least minReadySeconds)."),
        unavailableReplicas: z.number().int().optional().describe("Pods still needed for the deployment to have 100% available capacity."),
        conditions: z
          .array(
            conditionSchema(`${APPS_V1}.DeploymentCondition`, "The state of a deployment at a certain point.", [
              "lastUpdateTime",
              "lastTransitionTime",
            ] as const),
          )
          .optional()
          .describe("Latest available observations of the deployment's current state."),
        collisionCount: z.number().int().optional().describe("Count of hash collisions; part of the name of the newest ReplicaSet."),
      })
      .meta({ id: `${APPS_V1}.DeploymentStatus`, description: "The most recently observed status of the Deployment." })
      .optional()
      .describe("Most recently observed status of the Deployment."),
  })
  .meta({
    id: `${APPS_V1}.Deployment`,
    description: "Deployment enables declarative updates for Pods and ReplicaSets.",
    "x-kubernetes-group-version-kind": [{ group: "apps", version: "v1", kind: "Deployment" }],
  });

/** An apps/v1 Deployment. */
export type Deployment = z.infer<typeof DeploymentSchema>;
/** Its spec. */
export type DeploymentSpec = NonNullable<Deployment["spec"]>;
/** Its status. */
export type DeploymentStatus = NonNullable<Deployment["status"]>;
/** One of its conditions. */
export type DeploymentCondition = NonNullable<DeploymentStatus["conditions"]>[number];

/** apps/v1 SetDefaults_Deployment. */
export function defaultDeployment(d: Deployment): void {
  const spec = d.spec;
  if (!spec) return;
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  if (strategy.type === undefined || strategy.type === "") strategy.type = "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= "25%";
    ru.maxSurge ??= "25%";
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  const template = (spec.template ??= {});
  defaultPodSpec((template.spec ??= { containers: [] }));
}

const NEGATIVE = "must be greater than or equal to 0";

function nonNegative(field: string, value: number): StatusCause[] {
  return value < 0 ? [invalidValue(field, value, NEGATIVE)] : [];
}

/** `ValidatePositiveIntOrPercent`. */
function validatePositiveIntOrPercent(value: IntOrString | undefined, field: string): StatusCause[] {
  if (value === undefined) return [];
  if (typeof value === "string") {
    return isValidPercent(value) ? [] : [invalidValue(field, value, "must be an integer or percentage (e.g '5%')")];
  }
  return nonNegative(field, value);
}

/** `getIntOrPercentValue`: the number, or the percentage's number. */
function intOrPercentValue(value: IntOrString | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === "number") return value;
  return isValidPercent(value) ? Number(value.slice(0, -1)) : 0;
}

/** `ValidateRollingUpdateDeployment`. */
function validateRollingUpdate(ru: z.infer<typeof RollingUpdateSchema>, path: string): StatusCause[] {
  const causes = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`),
    ...validatePositiveIntOrPercent(ru.maxSurge, `${path}.maxSurge`),
  ];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    causes.push(invalidValue(`${path}.maxUnavailable`, ru.maxUnavailable ?? 0, "may not be 0 when `maxSurge` is 0"));
  }
  if (typeof ru.maxUnavailable === "string" && isValidPercent(ru.maxUnavailable) && intOrPercentValue(ru.maxUnavailable) > 100) {
    causes.push(invalidValue(`${path}.maxUnavailable`, ru.maxUnavailable, "must not be greater than 100%"));
  }
  return causes;
}

/** `ValidateDeploymentStrategy`. */
function validateStrategy(strategy: DeploymentSpec["strategy"], path: string): StatusCause[] {
  const type = strategy?.type ?? "";
  if (type === "Recreate") {
    return strategy?.rollingUpdate ? [forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (type === "RollingUpdate") {
    const ru = strategy?.rollingUpdate;
    return ru ? validateRollingUpdate(ru, `${path}.rollingUpdate`) : [required(`${path}.rollingUpdate`, "this should be defaulted and never be nil")];
  }
  return [notSupported(`${path}.type`, type, DEPLOYMENT_STRATEGY_TYPES)];
}

/** `ValidateDeploymentSpec`. */
function validateDeploymentSpec(spec: DeploymentSpec): StatusCause[] {
  const causes = nonNegative("spec.replicas", spec.replicas ?? 1);
  let selector: Selector = nothing();
  const sel = spec.selector;
  if (!sel) {
    causes.push(required("spec.selector"));
  } else {
    causes.push(...validateLabelSelectorObject(sel, "spec.selector"));
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
      causes.push(invalidValue("spec.selector", new GoSyntax(goLabelSelector(sel)), "empty selector is invalid for deployment"));
    }
    try {
      selector = labelSelectorFromObject(sel);
    } catch {
      causes.push(invalidValue("spec.selector", new GoSyntax(goLabelSelector(sel)), "invalid label selector"));
    }
  }
  causes.push(...validateTemplateForReplicaSet(spec, selector));
  causes.push(...validateStrategy(spec.strategy, "spec.strategy"));
  const minReady = spec.minReadySeconds ?? 0;
  causes.push(...nonNegative("spec.minReadySeconds", minReady));
  if (spec.revisionHistoryLimit !== undefined) causes.push(...nonNegative("spec.revisionHistoryLimit", spec.revisionHistoryLimit));
  const deadline = spec.progressDeadlineSeconds;
  if (deadline !== undefined) {
    causes.push(...nonNegative("spec.progressDeadlineSeconds", deadline));
    if (deadline <= minReady) causes.push(invalidValue("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"));
  }
  return causes;
}

/** `ValidateDeployment` / `ValidateDeploymentUpdate` (apps/v1: the selector is immutable). */
export function validateDeployment(d: Deployment, old?: Deployment): StatusCause[] {
  const causes = validateObjectMeta(d.metadata as KubeObject["metadata"], { namespaced: true });
  const spec = d.spec;
  if (!spec) {
    causes.push(required("spec.selector"));
    return causes;
  }
  causes.push(...validateDeploymentSpec(spec));
  if (old?.spec?.selector && spec.selector && !jsonEqual(spec.selector as Json, old.spec.selector as Json)) {
    causes.push(invalidValue("spec.selector", new GoSyntax(goLabelSelector(spec.selector)), "field is immutable"));
  }
  return causes;
}

/** The Deployment strategy. */
export const deploymentStrategy: KindStrategy<typeof DeploymentSchema> = {
  schema: DeploymentSchema,
  applyDefaults(obj: KubeObject): void {
    defaultDeployment(asKind<Deployment>(obj));
  },
  validate(obj: KubeObject, old?: KubeObject): StatusCause[] {
    return validateDeployment(asKind<Deployment>(obj), old ? asKind<Deployment>(old) : undefined);
  },
};
