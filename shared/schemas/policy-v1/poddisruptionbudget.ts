/**
 * @module
 * `policy/v1` PodDisruptionBudget: schema and validation
 * (`ValidatePodDisruptionBudget` / `ValidatePodDisruptionBudgetSpec` of
 * pkg/apis/policy/validation: minAvailable and maxUnavailable are exclusive,
 * each a non-negative int or a percent ≤ 100%, a valid selector, a known
 * unhealthyPodEvictionPolicy). The spec is mutable, as since 1.15.
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import { validateLabelSelectorObject } from "../../k8s/labels";
import type { KubeObject } from "../../k8s/object";
import { invalidValue, notSupported, validateObjectMeta } from "../../k8s/validation";
import { asKind, conditionSchema, IntOrStringSchema, LabelSelectorSchema, TimeSchema, typeAndObjectMeta, type KindStrategy } from "../meta";

const POLICY_V1 = "io.k8s.api.policy.v1";

/** The two values of `spec.unhealthyPodEvictionPolicy` (default IfHealthyBudget). */
export const UNHEALTHY_POD_EVICTION_POLICIES = ["IfHealthyBudget", "AlwaysAllow"] as const;

/** `policy/v1` PodDisruptionBudget. */
export const PodDisruptionBudgetSchema = z
  .object({
    ...typeAndObjectMeta("PodDisruptionBudget"),
    spec: z
      .object({
        minAvailable: IntOrStringSchema.optional().describe(
          "An eviction is allowed if at least this many selected pods (or this percent) are still available after it. Excludes maxUnavailable.",
        ),
        maxUnavailable: IntOrStringSchema.optional().describe(
          "An eviction is allowed if at most this many selected pods (or this percent) are unavailable after it. Excludes minAvailable.",
        ),
        selector: LabelSelectorSchema.optional().describe("Label query over the pods whose evictions the budget manages. A null selector matches no pods; an empty one ({}) every pod of the namespace."),
        unhealthyPodEvictionPolicy: z
          .string()
          .optional()
          .describe("When a running but not Ready pod may be evicted: IfHealthyBudget (default) or AlwaysAllow."),
      })
      .meta({ id: `${POLICY_V1}.PodDisruptionBudgetSpec`, description: "The desired behavior of a PodDisruptionBudget." })
      .optional()
      .describe("Specification of the desired behavior of the PodDisruptionBudget."),
    status: z
      .object({
        observedGeneration: z.number().int().optional().describe("The generation the disruption controller last observed."),
        disruptedPods: z
          .record(z.string(), TimeSchema)
          .optional()
          .describe("Pods whose eviction the API server admitted but the controller has not yet seen gone, with the time of admission."),
        disruptionsAllowed: z.number().int().optional().describe("Number of pod disruptions that are currently allowed."),
        currentHealthy: z.number().int().optional().describe("Current number of healthy pods."),
        desiredHealthy: z.number().int().optional().describe("Minimum desired number of healthy pods."),
        expectedPods: z.number().int().optional().describe("Total number of pods counted by this disruption budget."),
        conditions: z
          .array(conditionSchema(`${POLICY_V1}.PodDisruptionBudgetCondition`, "A condition of the budget, e.g. DisruptionAllowed.", [
            "lastTransitionTime",
            "observedGeneration",
          ] as const))
          .optional()
          .describe("Conditions of the budget: DisruptionAllowed (reasons SufficientPods, InsufficientPods, SyncFailed)."),
      })
      .meta({ id: `${POLICY_V1}.PodDisruptionBudgetStatus`, description: "The observed status of a PodDisruptionBudget." })
      .optional()
      .describe("Most recently observed status of the PodDisruptionBudget. Read-only; written by the disruption controller."),
  })
  .meta({
    id: `${POLICY_V1}.PodDisruptionBudget`,
    description: "PodDisruptionBudget limits the number of pods of a collection that are down at once from voluntary disruptions (evictions).",
    "x-kubernetes-group-version-kind": [{ group: "policy", version: "v1", kind: "PodDisruptionBudget" }],
  });

/** A policy/v1 PodDisruptionBudget. */
export type PodDisruptionBudget = z.infer<typeof PodDisruptionBudgetSchema>;

/** `ValidatePositiveIntOrPercent` plus `IsNotMoreThan100Percent`. */
function validateIntOrPercent(value: number | string | undefined, path: string): StatusCause[] {
  if (value === undefined) return [];
  if (typeof value === "number") {
    return value < 0 ? [invalidValue(path, value, "must be greater than or equal to 0")] : [];
  }
  const m = /^(\d+)%$/.exec(value);
  if (!m) return [invalidValue(path, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
  if (Number(m[1]) > 100) return [invalidValue(path, value, "must not be greater than 100%")];
  return [];
}

/** `ValidatePodDisruptionBudget`. */
export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): StatusCause[] {
  const causes = validateObjectMeta(pdb.metadata as KubeObject["metadata"], { namespaced: true });
  const spec = pdb.spec ?? {};
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    causes.push(invalidValue("spec", spec, "minAvailable and maxUnavailable cannot be both set"));
  }
  causes.push(...validateIntOrPercent(spec.minAvailable, "spec.minAvailable"));
  causes.push(...validateIntOrPercent(spec.maxUnavailable, "spec.maxUnavailable"));
  causes.push(...validateLabelSelectorObject(spec.selector, "spec.selector"));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && !(UNHEALTHY_POD_EVICTION_POLICIES as readonly string[]).includes(policy)) {
    causes.push(notSupported("spec.unhealthyPodEvictionPolicy", policy, [...UNHEALTHY_POD_EVICTION_POLICIES]));
  }
  return causes;
}

/** `SetDefaults_PodDisruptionBudgetSpec` (policy/v1): with neither bound set, minAvailable is 1. */
export function defaultPodDisruptionBudget(pdb: PodDisruptionBudget): void {
  const spec = (pdb.spec ??= {});
  if (spec.minAvailable === undefined && spec.maxUnavailable === undefined) spec.minAvailable = 1;
}

/** The PodDisruptionBudget strategy. */
export const podDisruptionBudgetStrategy: KindStrategy<typeof PodDisruptionBudgetSchema> = {
  schema: PodDisruptionBudgetSchema,
  applyDefaults(obj: KubeObject): void {
    defaultPodDisruptionBudget(asKind<PodDisruptionBudget>(obj));
  },
  validate(obj: KubeObject): StatusCause[] {
    return validatePodDisruptionBudget(asKind<PodDisruptionBudget>(obj));
  },
};
