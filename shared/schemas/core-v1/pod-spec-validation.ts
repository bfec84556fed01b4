/**
 * @module
 * PodSpec and PodTemplateSpec validation with upstream's messages
 * (`pkg/apis/core/validation/validation.go`: ValidatePodSpec, ValidateVolumes,
 * ValidateTolerations, ValidatePodTemplateSpec). Enum fields (restartPolicy,
 * dnsPolicy, imagePullPolicy, protocol) are already checked by the schema.
 */
import type { StatusCause } from "../../k8s/errors";
import {
  duplicate,
  forbidden,
  invalidValue,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  notSupported,
  required,
  validateAnnotations,
  validateLabels,
} from "../../k8s/validation";
import { validateContainerLists, validateDNS1123Label } from "./container-validation";
import { VOLUME_SOURCES, type PodSpec, type PodTemplateSpec, type Toleration, type Volume } from "./pod-spec";

/** Taint effects in the order upstream's NotSupported error lists them. */
export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

/** `validateTaintEffect`. */
export function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, field: string): StatusCause[] {
  if (!effect) return allowEmpty ? [] : [required(field)];
  return (TAINT_EFFECTS as readonly string[]).includes(effect) ? [] : [notSupported(field, effect, TAINT_EFFECTS)];
}

/** `ValidateTolerations`. */
export function validateTolerations(tolerations: readonly Toleration[], path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  tolerations.forEach((t, i) => {
    const p = `${path}[${i}]`;
    const key = t.key ?? "";
    const operator = t.operator ?? "";
    if (key) causes.push(...isQualifiedName(key).map((msg) => invalidValue(`${p}.key`, key, msg)));
    if (!key && operator !== "Exists") {
      const detail = 'operator must be Exists when `key` is empty, which means "match all values and all keys"';
      causes.push(invalidValue(`${p}.operator`, operator, detail));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
      causes.push(invalidValue(`${p}.effect`, t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (operator) {
      case "Equal":
      case "": {
        const errs = isValidLabelValue(t.value ?? "");
        if (errs.length > 0) causes.push(invalidValue(`${p}.operator`, t.value ?? "", errs.join(";")));
        break;
      }
      case "Exists":
        if (t.value) causes.push(invalidValue(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        causes.push(notSupported(`${p}.operator`, operator, ["Equal", "Exists"]));
    }
    causes.push(...validateTaintEffect(t.effect, true, `${p}.effect`));
  });
  return causes;
}

/** `ValidateVolumes`: DNS-label names, unique, one source each. Returns the volume names for mounts. */
function validateVolumes(volumes: readonly Volume[], path: string): { names: Set<string>; causes: StatusCause[] } {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  volumes.forEach((vol, i) => {
    const p = `${path}[${i}]`;
    if (!vol.name) causes.push(required(`${p}.name`));
    else causes.push(...validateDNS1123Label(vol.name, `${p}.name`));
    if (names.has(vol.name)) causes.push(duplicate(`${p}.name`, vol.name));
    else if (vol.name) names.add(vol.name);
    const sources = VOLUME_SOURCES.filter((k) => vol[k] !== undefined);
    if (sources.length === 0) causes.push(required(p, "must specify a volume type"));
    for (const extra of sources.slice(1)) causes.push(forbidden(`${p}.${extra}`, "may not specify more than 1 volume type"));
  });
  return { names, causes };
}

function subdomainErrors(value: string, field: string): StatusCause[] {
  return isDNS1123Subdomain(value).map((msg) => invalidValue(field, value, msg));
}

const MAX_INT32 = 2147483647;

/**
 * `ValidatePodSpec` at `path` (`spec`, `spec.template.spec`). `forPod` adds
 * the checks upstream runs only for pods, not templates.
 */
export function validatePodSpec(spec: PodSpec, path: string, forPod: boolean): StatusCause[] {
  const vols = validateVolumes(spec.volumes ?? [], `${path}.volumes`);
  const causes = [...vols.causes];
  causes.push(...validateContainerLists(spec.containers, spec.initContainers ?? [], vols.names, path, forPod));
  if (!spec.restartPolicy) causes.push(required(`${path}.restartPolicy`));
  if (!spec.dnsPolicy) causes.push(required(`${path}.dnsPolicy`));
  causes.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  if (spec.serviceAccountName) causes.push(...subdomainErrors(spec.serviceAccountName, `${path}.serviceAccountName`));
  if (spec.nodeName) causes.push(...subdomainErrors(spec.nodeName, `${path}.nodeName`));
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
    causes.push(invalidValue(`${path}.activeDeadlineSeconds`, deadline, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  if (spec.hostname) causes.push(...validateDNS1123Label(spec.hostname, `${path}.hostname`));
  if (spec.subdomain) causes.push(...validateDNS1123Label(spec.subdomain, `${path}.subdomain`));
  causes.push(...validateTolerations(spec.tolerations ?? [], `${path}.tolerations`));
  (spec.readinessGates ?? []).forEach((g, i) => {
    const field = `${path}.readinessGates[${i}].conditionType`;
    causes.push(...isQualifiedName(g.conditionType).map((msg) => invalidValue(field, g.conditionType, msg)));
  });
  return causes;
}

/** `ValidatePodTemplateSpec`: template labels and annotations, then the pod spec. */
export function validatePodTemplateSpec(template: PodTemplateSpec | undefined, path: string): StatusCause[] {
  const causes = [
    ...validateLabels(template?.metadata?.labels, `${path}.metadata.labels`),
    ...validateAnnotations(template?.metadata?.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(template?.spec ?? { containers: [] }, `${path}.spec`, false),
  ];
  if ((template?.spec?.ephemeralContainers ?? []).length > 0) {
    causes.push(forbidden(`${path}.spec.ephemeralContainers`, "ephemeral containers not allowed in pod template"));
  }
  return causes;
}
