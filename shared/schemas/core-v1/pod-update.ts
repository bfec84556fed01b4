/**
 * @module
 * `ValidatePodUpdate` (pkg/apis/core/validation): a pod's spec is immutable
 * except container images, activeDeadlineSeconds (only shortened), added
 * tolerations (and their tolerationSeconds), removed scheduling gates and a
 * negative terminationGracePeriodSeconds becoming 1.
 */
import type { StatusCause } from "../../k8s/errors";
import { jsonEqual } from "../../k8s/json-value";
import type { Json } from "../../k8s/object";
import { forbidden, invalidValue, required } from "../../k8s/validation";
import type { Container } from "./container";
import type { PodSpec, Toleration } from "./pod-spec";
import { validateTolerations } from "./pod-spec-validation";

const UPDATABLE_POD_SPEC_FIELDS = [
  "`spec.containers[*].image`",
  "`spec.initContainers[*].image`",
  "`spec.activeDeadlineSeconds`",
  "`spec.tolerations` (only additions to existing tolerations)",
  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

const MAX_INT32 = 2147483647;

function toJson(v: unknown): Json {
  return v === undefined ? null : (v as Json);
}

/** ValidateContainerUpdates: same number of containers; images still required. Returns whether to stop. */
function validateContainerUpdates(next: readonly Container[], prev: readonly Container[], path: string, causes: StatusCause[]): boolean {
  if (next.length !== prev.length) {
    causes.push(forbidden(path, "pod updates may not add or remove containers"));
    return true;
  }
  next.forEach((c, i) => {
    if (!c.image) causes.push(required(`${path}[${i}].image`));
    if (c.image !== undefined && c.image.trim() !== c.image) {
      causes.push(invalidValue(`${path}[${i}].image`, c.image, "must not have leading or trailing whitespace"));
    }
  });
  return false;
}

/** validateOnlyAddedTolerations: every old toleration must survive, up to its tolerationSeconds. */
function validateOnlyAddedTolerations(next: readonly Toleration[], prev: readonly Toleration[], path: string): StatusCause[] {
  for (const old of prev) {
    const found = next.some((t) => jsonEqual(toJson(dropUndefined({ ...old, tolerationSeconds: t.tolerationSeconds })), toJson(t)));
    if (!found) return [forbidden(path, "existing toleration can not be modified except its tolerationSeconds")];
  }
  return validateTolerations(next, path);
}

/** A readable list of the differing leaves (upstream prints a `cmp.Diff` of the Go structs). */
export function specDiff(prev: unknown, next: unknown, path = "spec"): string[] {
  if (jsonEqual(toJson(prev), toJson(next))) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObj(prev) && isObj(next)) {
    const keys = [...new Set([...Object.keys(prev), ...Object.keys(next)])];
    return keys.flatMap((k) => specDiff(prev[k], next[k], `${path}.${k}`));
  }
  if (Array.isArray(prev) && Array.isArray(next) && prev.length === next.length) {
    return prev.flatMap((v, i) => specDiff(v, next[i], `${path}[${i}]`));
  }
  const lines: string[] = [];
  if (prev !== undefined) lines.push(`- ${path}: ${JSON.stringify(prev)}`);
  if (next !== undefined) lines.push(`+ ${path}: ${JSON.stringify(next)}`);
  return lines;
}

/** The spec-specific half of `ValidatePodUpdate`; metadata and full spec validation run separately. */
export function validatePodSpecUpdate(next: PodSpec, prev: PodSpec): StatusCause[] {
  const causes: StatusCause[] = [];
  if (validateContainerUpdates(next.containers, prev.containers, "spec.containers", causes)) return causes;
  if (validateContainerUpdates(next.initContainers ?? [], prev.initContainers ?? [], "spec.initContainers", causes)) {
    return causes;
  }
  const deadline = next.activeDeadlineSeconds;
  if (deadline !== undefined) {
    if (deadline < 0 || deadline > MAX_INT32) {
      causes.push(invalidValue("spec.activeDeadlineSeconds", deadline, `must be between 0 and ${MAX_INT32}, inclusive`));
      return causes;
    }
    if (prev.activeDeadlineSeconds !== undefined && prev.activeDeadlineSeconds < deadline) {
      causes.push(invalidValue("spec.activeDeadlineSeconds", deadline, "must be less than or equal to previous value"));
      return causes;
    }
  } else if (prev.activeDeadlineSeconds !== undefined) {
    causes.push(invalidValue("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
  }
  causes.push(...validateOnlyAddedTolerations(next.tolerations ?? [], prev.tolerations ?? [], "spec.tolerations"));
  const oldGates = new Set((prev.schedulingGates ?? []).map((g) => g.name));
  for (const gate of next.schedulingGates ?? []) {
    if (!oldGates.has(gate.name)) {
      causes.push(forbidden("spec.schedulingGates", `only deletion is allowed, but found new scheduling gate '${gate.name}'`));
    }
  }
  if (jsonEqual(toJson(next), toJson(prev))) return causes;

  // Munge the fields that may change back to their old values; anything left over is forbidden.
  const munged: PodSpec = {
    ...next,
    containers: next.containers.map((c, i) => ({ ...c, image: prev.containers[i]?.image })),
    initContainers: next.initContainers?.map((c, i) => ({ ...c, image: prev.initContainers?.[i]?.image })),
    activeDeadlineSeconds: prev.activeDeadlineSeconds,
    tolerations: prev.tolerations,
    schedulingGates: prev.schedulingGates,
  };
  const oldGrace = prev.terminationGracePeriodSeconds;
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldGrace;
  }
  const diff = specDiff(prev, dropUndefined(munged));
  if (diff.length > 0) {
    causes.push(
      forbidden("spec", `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(",")}\n${diff.join("\n")}`),
    );
  }
  return causes;
}

/** Removes members the munging set to undefined, so they compare as absent. */
function dropUndefined<T extends object>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
