/**
 * @module
 * Container validation with upstream's messages, as
 * `pkg/apis/core/validation/validation.go` (validateContainerCommon,
 * validateContainerPorts, ValidateEnv, ValidateVolumeMounts,
 * ValidateResourceRequirements) checks containers of pods and templates.
 */
import type { StatusCause } from "../../k8s/errors";
import { parseQuantity } from "../../k8s/quantity";
import { duplicate, forbidden, formatBadValue, invalidValue, isDNS1123Label, notSupported, required } from "../../k8s/validation";
import type { Container } from "./container";

/** `field.NotFound`: `Not found: "x"`. */
export function notFound(field: string, value: unknown): StatusCause {
  return { reason: "FieldValueNotFound", message: `Not found: ${formatBadValue(value)}`, field };
}

/** `ValidateDNS1123Label`: one Invalid cause per problem. */
export function validateDNS1123Label(value: string, field: string): StatusCause[] {
  return isDNS1123Label(value).map((msg) => invalidValue(field, value, msg));
}

const PORT_RANGE = "must be between 1 and 65535, inclusive";

/** `IsValidPortName`. */
function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push("must be no more than 15 characters");
  if (!/^[-a-z0-9]+$/.test(name)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(name)) errs.push("must contain at least one letter (a-z)");
  if (name.includes("--")) errs.push("must not contain consecutive hyphens");
  if (name.startsWith("-") || name.endsWith("-")) errs.push("must not begin or end with a hyphen");
  return errs;
}

function validPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

function validatePorts(ports: Container["ports"], path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = `${path}[${i}]`;
    if (port.name) {
      const errs = portNameErrors(port.name);
      if (errs.length > 0) causes.push(...errs.map((msg) => invalidValue(`${p}.name`, port.name, msg)));
      else if (names.has(port.name)) causes.push(duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    if (port.containerPort === 0) causes.push(required(`${p}.containerPort`));
    else if (!validPort(port.containerPort)) causes.push(invalidValue(`${p}.containerPort`, port.containerPort, PORT_RANGE));
    if (port.hostPort !== undefined && port.hostPort !== 0 && !validPort(port.hostPort)) {
      causes.push(invalidValue(`${p}.hostPort`, port.hostPort, PORT_RANGE));
    }
  });
  return causes;
}

// Downward API fields an env var may select (validEnvDownwardAPIFieldPathExpressions), sorted as upstream lists them.
const ENV_FIELD_PATHS = [
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "spec.nodeName",
  "spec.serviceAccountName",
  "status.hostIP",
  "status.hostIPs",
  "status.podIP",
  "status.podIPs",
];

const RELAXED_ENV_NAME_ERR =
  "a valid environment variable name must consist only of printable ASCII characters other than '='";

function validateEnv(env: Container["env"], path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  (env ?? []).forEach((ev, i) => {
    const p = `${path}[${i}]`;
    if (ev.name === "") {
      causes.push(required(`${p}.name`));
      causes.push(invalidValue(`${p}.name`, ev.name, "environment variable name must be non-empty"));
    } else if ([...ev.name].some((ch) => ch < " " || ch > "~" || ch === "=")) {
      // RelaxedEnvironmentVariableValidation (on by default in 1.32): printable ASCII except '='.
      causes.push(invalidValue(`${p}.name`, ev.name, RELAXED_ENV_NAME_ERR));
    }
    const from = ev.valueFrom;
    if (!from) return;
    const sources = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef"] as const;
    const count = sources.filter((k) => from[k] !== undefined).length;
    const vp = `${p}.valueFrom`;
    if (count === 0) {
      causes.push(invalidValue(vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
    } else if (ev.value) {
      causes.push(invalidValue(vp, "", "may not be specified when `value` is not empty"));
    } else if (count > 1) {
      causes.push(invalidValue(vp, "", "may not have more than one field specified at a time"));
    }
    const fieldPath = from.fieldRef?.fieldPath;
    if (from.fieldRef && !fieldPath) causes.push(required(`${vp}.fieldRef.fieldPath`));
    if (fieldPath && !ENV_FIELD_PATHS.includes(fieldPath) && !/^metadata\.(labels|annotations)\['.+'\]$/.test(fieldPath)) {
      causes.push(notSupported(`${vp}.fieldRef.fieldPath`, fieldPath, ENV_FIELD_PATHS));
    }
  });
  return causes;
}

function validateVolumeMounts(mounts: Container["volumeMounts"], volumes: ReadonlySet<string>, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const mountPoints = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const p = `${path}[${i}]`;
    if (!m.name) causes.push(required(`${p}.name`));
    if (!volumes.has(m.name)) causes.push(notFound(`${p}.name`, m.name));
    if (!m.mountPath) causes.push(required(`${p}.mountPath`));
    if (mountPoints.has(m.mountPath)) causes.push(invalidValue(`${p}.mountPath`, m.mountPath, "must be unique"));
    mountPoints.add(m.mountPath);
  });
  return causes;
}

const STANDARD_CONTAINER_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage"]);

/** `validateContainerResourceName`: standard resources, hugepages, or extended (`domain/name`) resources. */
function isContainerResourceName(name: string): boolean {
  return STANDARD_CONTAINER_RESOURCES.has(name) || name.startsWith("hugepages-") || name.includes("/");
}

/** Resources upstream allows to overcommit; any other resource needs request == limit. */
function overcommitAllowed(name: string): boolean {
  return STANDARD_CONTAINER_RESOURCES.has(name) || !name.includes("/");
}

/** `ValidateResourceRequirements` for a container (quantity syntax was checked by decoding). */
export function validateResources(res: Container["resources"], path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const limits = res?.limits ?? {};
  const requests = res?.requests ?? {};
  const check = (name: string, q: string | number, field: string): void => {
    if (!isContainerResourceName(name)) causes.push(invalidValue(field, name, "must be a standard resource for containers"));
    if (parseQuantity(q) < 0) causes.push(invalidValue(field, String(q), "must be greater than or equal to 0"));
  };
  for (const [name, q] of Object.entries(limits)) check(name, q, `${path}.limits[${name}]`);
  for (const [name, q] of Object.entries(requests)) {
    check(name, q, `${path}.requests[${name}]`);
    const limit = limits[name];
    if (limit !== undefined) {
      const [rq, lq] = [parseQuantity(q), parseQuantity(limit)];
      if (rq !== lq && !overcommitAllowed(name)) {
        causes.push(invalidValue(`${path}.requests`, String(q), `must be equal to ${name} limit of ${String(limit)}`));
      } else if (rq > lq) {
        causes.push(invalidValue(`${path}.requests`, String(q), `must be less than or equal to ${name} limit of ${String(limit)}`));
      }
    } else if (!overcommitAllowed(name)) {
      causes.push(required(`${path}.limits`, "Limit must be set for non overcommitable resources"));
    }
  }
  return causes;
}

/** validateContainerCommon: name, image, termination message policy, ports, env, mounts, resources. */
export function validateContainer(c: Container, volumes: ReadonlySet<string>, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!c.name) causes.push(required(`${path}.name`));
  else causes.push(...validateDNS1123Label(c.name, `${path}.name`));
  if (!c.image) causes.push(required(`${path}.image`));
  if (!c.terminationMessagePolicy) causes.push(required(`${path}.terminationMessagePolicy`));
  causes.push(...validatePorts(c.ports, `${path}.ports`));
  causes.push(...validateEnv(c.env, `${path}.env`));
  causes.push(...validateVolumeMounts(c.volumeMounts, volumes, `${path}.volumeMounts`));
  if (!c.imagePullPolicy) causes.push(required(`${path}.imagePullPolicy`));
  causes.push(...validateResources(c.resources, `${path}.resources`));
  return causes;
}

/**
 * validateContainers / validateInitContainers: at least one app container and
 * names unique across app and init containers (init duplicates are reported
 * on the init container, as upstream checks them second).
 */
export function validateContainerLists(
  containers: readonly Container[],
  initContainers: readonly Container[],
  volumes: ReadonlySet<string>,
  path: string,
  forPod: boolean,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  const one = (c: Container, p: string): void => {
    causes.push(...validateContainer(c, volumes, p));
    if (names.has(c.name)) causes.push(duplicate(`${p}.name`, c.name));
    else if (c.name) names.add(c.name);
    // validateContainersOnlyForPod: templates may carry a placeholder image such as " ".
    if (forPod && c.image !== undefined && c.image.trim() !== c.image) {
      causes.push(invalidValue(`${p}.image`, c.image, "must not have leading or trailing whitespace"));
    }
  };
  if (containers.length === 0) causes.push(required(`${path}.containers`));
  containers.forEach((c, i) => {
    one(c, `${path}.containers[${i}]`);
    if (c.restartPolicy !== undefined) {
      causes.push(forbidden(`${path}.containers[${i}].restartPolicy`, "may not be set for non-init containers"));
    }
  });
  initContainers.forEach((c, i) => one(c, `${path}.initContainers[${i}]`));
  return causes;
}
