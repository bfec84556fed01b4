/**
 * @module
 * `v1` Pod: schema, defaulting (SetDefaults_Pod plus the Priority,
 * DefaultTolerationSeconds and ServiceAccount admission plugins' visible
 * effects) and validation (`ValidatePodCreate`, `ValidatePodUpdate`).
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import type { KubeObject } from "../../k8s/object";
import { validateObjectMeta } from "../../k8s/validation";
import { asKind, typeAndObjectMeta, type KindStrategy } from "../meta";
import { CORE_V1, type Container } from "./container";
import { PodSpecSchema, type PodSpec, type Toleration } from "./pod-spec";
import { defaultPodSpec } from "./pod-spec-defaults";
import { validatePodSpec } from "./pod-spec-validation";
import { PodStatusSchema } from "./pod-status";
import { validatePodSpecUpdate } from "./pod-update";

/** `v1` Pod. */
export const PodSchema = z
  .object({
    ...typeAndObjectMeta("Pod"),
    spec: PodSpecSchema.optional().describe("Specification of the desired behavior of the pod."),
    status: PodStatusSchema.optional().describe("Most recently observed status of the pod. Read-only; written by the system."),
  })
  .meta({
    id: `${CORE_V1}.Pod`,
    description: "Pod is a collection of containers that can run on a host. Created by clients and scheduled onto hosts.",
    "x-kubernetes-group-version-kind": [{ group: "", version: "v1", kind: "Pod" }],
  });

/** A v1 Pod. */
export type Pod = z.infer<typeof PodSchema>;

/** The NoExecute taints DefaultTolerationSeconds tolerates for 300 s (semantics.md §5). */
const DEFAULT_TOLERATED_TAINTS = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

/** `Toleration.ToleratesTaint` for a NoExecute taint with an empty value. */
function tolerates(t: Toleration, key: string): boolean {
  if (t.effect && t.effect !== "NoExecute") return false;
  if (!t.key) return t.operator === "Exists";
  if (t.key !== key) return false;
  return t.operator === "Exists" || !t.value;
}

/** SetDefaults_Pod: requests default to limits for each resource that has only a limit. */
function defaultRequestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!limits || !c.resources) return;
  const requests = (c.resources.requests ??= {});
  for (const [name, q] of Object.entries(limits)) if (requests[name] === undefined) requests[name] = q;
}

/** Defaults a pod in place: its spec, then what upstream's Pod defaulter and admission plugins add. */
export function defaultPod(pod: Pod): void {
  const spec: PodSpec = (pod.spec ??= { containers: [] });
  defaultPodSpec(spec);
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) defaultRequestsFromLimits(c);
  if (spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
  // Priority admission with no PriorityClass: priority 0, PreemptLowerPriority.
  if (spec.priority === undefined && !spec.priorityClassName) spec.priority = 0;
  if (!spec.preemptionPolicy) spec.preemptionPolicy = "PreemptLowerPriority";
  // ServiceAccount admission (the token volume is not modelled: there are no ServiceAccounts here).
  if (!spec.serviceAccountName) {
    spec.serviceAccountName = "default";
    spec.serviceAccount = "default";
  }
  const tolerations = (spec.tolerations ??= []);
  for (const key of DEFAULT_TOLERATED_TAINTS) {
    if (!tolerations.some((t) => tolerates(t, key))) {
      tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
    }
  }
}

/** `ValidatePodCreate` / `ValidatePodUpdate` (metadata, spec, and the update rules when `old` is set). */
export function validatePod(pod: Pod, old?: Pod): StatusCause[] {
  const spec = pod.spec ?? { containers: [] };
  const causes = [
    ...validateObjectMeta(pod.metadata as KubeObject["metadata"], { namespaced: true }),
    ...validatePodSpec(spec, "spec", true),
  ];
  if (old) causes.push(...validatePodSpecUpdate(spec, old.spec ?? { containers: [] }));
  return causes;
}

/**
 * The Pod strategy. Note the binding subresource changes `spec.nodeName`,
 * which an update through `validate` forbids, exactly as upstream.
 */
export const podStrategy: KindStrategy<typeof PodSchema> = {
  schema: PodSchema,
  applyDefaults(obj: KubeObject): void {
    defaultPod(asKind<Pod>(obj));
  },
  validate(obj: KubeObject, old?: KubeObject): StatusCause[] {
    return validatePod(asKind<Pod>(obj), old ? asKind<Pod>(old) : undefined);
  },
};
