/**
 * @module
 * VMI spec validation with KubeVirt's messages, a subset of
 * `pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go`
 * (ValidateVirtualMachineInstanceSpec, ValidateVirtualMachineInstanceMandatoryFields,
 * ValidateVirtualMachineInstancePerArch) and the network admitter. KubeVirt's
 * causes carry whole sentences, not `field.Error` bodies.
 */
import type { StatusCause } from "../../k8s/errors";
import { isValidQuantity, parseQuantity } from "../../k8s/quantity";
import { isDNS1123Label, isDNS1123Subdomain } from "../../k8s/validation";
import { VMI_VOLUME_SOURCES, type VMISpec } from "./vmi-spec";

type Reason = "FieldValueInvalid" | "FieldValueRequired" | "FieldValueNotSupported";

/** A KubeVirt `metav1.StatusCause`: the message is the full sentence. */
export function kvCause(reason: Reason, message: string, field?: string): StatusCause {
  return field === undefined ? { reason, message } : { reason, message, field };
}

type Q = string | number | undefined;

/** The quantity's value; unset (and, defensively, malformed, which decoding already rejects) counts as 0. */
function q(v: Q): number {
  return v === undefined || !isValidQuantity(v) ? 0 : parseQuantity(v);
}

function validateNames(spec: VMISpec, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (spec.hostname) {
    const errs = isDNS1123Label(spec.hostname);
    if (errs.length > 0) {
      const msg = `${path}.hostname does not conform to the kubernetes DNS_LABEL rules : ${errs.join(", ")}`;
      causes.push(kvCause("FieldValueInvalid", msg, `${path}.hostname`));
    }
  }
  if (spec.subdomain) {
    const errs = isDNS1123Subdomain(spec.subdomain);
    if (errs.length > 0) {
      const msg = `${path}.subdomain does not conform to the kubernetes DNS_SUBDOMAIN rules : ${errs.join(", ")}`;
      causes.push(kvCause("FieldValueInvalid", msg, `${path}.subdomain`));
    }
  }
  return causes;
}

/** Memory and CPU requests/limits: non-negative, requests ≤ limits, guest ≤ limit, ≥ 1M requested. */
function validateResources(spec: VMISpec, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const res = spec.domain.resources;
  const field = (kind: "requests" | "limits", name: string): string => `${path}.domain.resources.${kind}.${name}`;
  const invalid = (msg: string, at: string): void => {
    causes.push(kvCause("FieldValueInvalid", msg, at));
  };
  const negative = (kind: "requests" | "limits", name: string, v: Q): void => {
    if (q(v) < 0) invalid(`${field(kind, name)} '${String(v)}': must be greater than or equal to 0.`, field(kind, name));
  };
  const requestAboveLimit = (name: string, req: Q, lim: Q): void => {
    if (q(lim) > 0 && q(req) > q(lim)) {
      const msg = `${field("requests", name)} '${String(req)}' is greater than ${field("limits", name)} '${String(lim)}'`;
      invalid(msg, field("requests", name));
    }
  };
  const [memReq, memLim] = [res?.requests?.["memory"], res?.limits?.["memory"]];
  negative("requests", "memory", memReq);
  if (q(memReq) > 0 && q(memReq) < 1e6) {
    invalid(`${field("requests", "memory")} '${String(memReq)}': must be greater than or equal to 1M.`, field("requests", "memory"));
  }
  negative("limits", "memory", memLim);
  requestAboveLimit("memory", memReq, memLim);
  const guest = spec.domain.memory?.guest;
  if (guest !== undefined && q(memLim) !== 0 && q(memLim) < q(guest)) {
    const at = `${path}.domain.memory.guest`;
    const limit = `${field("limits", "memory")} '${String(memLim)}'`;
    invalid(`${at} '${String(guest)}' must be equal to or less than the memory limit ${limit}`, at);
  }
  const [cpuReq, cpuLim] = [res?.requests?.["cpu"], res?.limits?.["cpu"]];
  negative("requests", "cpu", cpuReq);
  negative("limits", "cpu", cpuLim);
  requestAboveLimit("cpu", cpuReq, cpuLim);
  return causes;
}

/** validateNetworksAssignedToInterfaces, then validateInterfacesAssignedToNetworks. */
function validateNetworks(spec: VMISpec, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const networks = spec.networks ?? [];
  const interfaces = spec.domain.devices.interfaces ?? [];
  const ifaceNames = new Set(interfaces.map((i) => i.name));
  const netNames = new Set(networks.map((n) => n.name));
  networks.forEach((n, i) => {
    const field = `${path}.networks[${i}].name`;
    if (!ifaceNames.has(n.name)) causes.push(kvCause("FieldValueRequired", `${field} '${n.name}' not found.`, field));
  });
  interfaces.forEach((iface, i) => {
    const field = `${path}.domain.devices.interfaces[${i}].name`;
    if (!netNames.has(iface.name)) causes.push(kvCause("FieldValueInvalid", `${field} '${iface.name}' not found.`, field));
  });
  return causes;
}

/** validateBootOrder's disk ↔ volume check. */
function validateDisks(spec: VMISpec, path: string): StatusCause[] {
  const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
  const causes: StatusCause[] = [];
  (spec.domain.devices.disks ?? []).forEach((disk, i) => {
    if (volumes.has(disk.name)) return;
    const p = `${path}.domain.devices.disks[${i}]`;
    const msg =
      disk["cdrom"] === undefined
        ? `${p}.Name '${disk.name}' not found.`
        : "DeclarativeHotplugVolumes feature gate not enabled, cannot define an empty CD-ROM disk";
    causes.push(kvCause("FieldValueInvalid", msg, `${p}.name`));
  });
  return causes;
}

/** validateVolumes: unique names and exactly one source each. */
function validateVolumes(spec: VMISpec, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Map<string, number>();
  (spec.volumes ?? []).forEach((vol, i) => {
    const p = `${path}.volumes[${i}]`;
    const other = seen.get(vol.name);
    if (other === undefined) seen.set(vol.name, i);
    else causes.push(kvCause("FieldValueInvalid", `${p} and ${path}.volumes[${other}] must not have the same Name.`, `${p}.name`));
    const count = VMI_VOLUME_SOURCES.filter((k) => vol[k] !== undefined).length;
    if (count !== 1) causes.push(kvCause("FieldValueInvalid", `${p} must have exactly one source type set`, p));
  });
  return causes;
}

const EVICTION_STRATEGIES = ["None", "LiveMigrate", "LiveMigrateIfPossible", "External"];
const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None", ""];

/** `ValidateVirtualMachineInstanceSpec` (the part shared by VMIs and VM/VMIRS templates). */
export function validateVMISpec(spec: VMISpec, path: string): StatusCause[] {
  const causes = [...validateNames(spec, path), ...validateResources(spec, path)];
  causes.push(...validateNetworks(spec, path));
  causes.push(...validateDisks(spec, path));
  causes.push(...validateVolumes(spec, path));
  if (spec.dnsPolicy && !DNS_POLICIES.includes(spec.dnsPolicy)) {
    // Go prints the slice with %s: `[ClusterFirstWithHostNet ClusterFirst Default None ]`.
    const msg = `DNSPolicy: ${spec.dnsPolicy} is not supported, valid values: [${DNS_POLICIES.join(" ")}]`;
    causes.push(kvCause("FieldValueNotSupported", msg, `${path}.dnsPolicy`));
  }
  if (spec.evictionStrategy !== undefined && !EVICTION_STRATEGIES.includes(spec.evictionStrategy)) {
    const field = `${path}.evictionStrategy`;
    causes.push(kvCause("FieldValueInvalid", `${field} is set with an unrecognized option: ${spec.evictionStrategy}`, field));
  }
  return causes;
}

/** `ValidateVirtualMachineInstanceMandatoryFields` (VMIs only, after defaulting): some memory must be requested. */
export function validateVMIMandatoryFields(spec: VMISpec, path: string): StatusCause[] {
  if (q(spec.domain.resources?.requests?.["memory"]) !== 0) return [];
  const memory = spec.domain.memory;
  if (memory && (memory.guest !== undefined || memory.hugepages !== undefined)) return [];
  const [guest, pageSize, request] = ["memory.guest", "memory.hugepages.pageSize", "resources.requests.memory"].map(
    (f) => `${path}.domain.${f}`,
  );
  const msg = `no memory requested, at least one of '${guest}', '${pageSize}' or '${request}' must be set`;
  return [kvCause("FieldValueRequired", msg)];
}

/** `ValidateVirtualMachineInstancePerArch`'s unknown-architecture check (VMIs only). */
export function validateArchitecture(spec: VMISpec, path: string): StatusCause[] {
  const arch = spec.architecture ?? "";
  if (arch === "amd64" || arch === "arm64" || arch === "s390x") return [];
  return [kvCause("FieldValueInvalid", `unsupported architecture: ${arch}`, `${path}.architecture`)];
}
