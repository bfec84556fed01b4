/**
 * @module
 * VMI defaulting as KubeVirt's mutating webhook applies it on create
 * (`pkg/defaults/defaults.go` SetDefaultVirtualMachineInstance with the
 * default cluster config, `api/core/v1/defaults.go`, `pkg/defaults/amd64.go`):
 * architecture, machine type, guest memory, CPU topology and model, default
 * pod network, a disk per volume, firmware UUID and device details.
 */
import { isValidQuantity, parseQuantity } from "../../k8s/quantity";
import type { VMISpec } from "./vmi-spec";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function nonZero(q: string | number | undefined): q is string | number {
  return q !== undefined && parseQuantity(q) !== 0;
}

/** setGuestMemory: guest ← requests.memory, else limits.memory, else the hugepage size. */
function setGuestMemory(spec: VMISpec): void {
  const domain = spec.domain;
  const memory = (domain.memory ??= {});
  if (memory.guest !== undefined) return;
  const requested = domain.resources?.requests?.["memory"];
  const limit = domain.resources?.limits?.["memory"];
  if (nonZero(requested)) memory.guest = requested;
  else if (nonZero(limit)) memory.guest = limit;
  else if (memory.hugepages?.pageSize && isValidQuantity(memory.hugepages.pageSize)) memory.guest = memory.hugepages.pageSize;
}

/** SetDefaultGuestCPUTopology: with no topology, sockets = ⌈CPU limit⌉ (else request, else 1), cores = threads = 1. */
function setGuestCPUTopology(spec: VMISpec): void {
  const cpu = (spec.domain.cpu ??= {});
  if (cpu.cores || cpu.sockets || cpu.threads) return;
  const limit = spec.domain.resources?.limits?.["cpu"];
  const request = spec.domain.resources?.requests?.["cpu"];
  const source = limit ?? request;
  cpu.sockets = source === undefined ? 1 : Math.ceil(parseQuantity(source));
  cpu.cores = 1;
  cpu.threads = 1;
}

/** SetDefaultNetworkInterface with the default config: a bridge interface on the pod network. */
function setDefaultNetworkInterface(spec: VMISpec): void {
  const devices = spec.domain.devices;
  if (devices.autoattachPodInterface === false) return;
  if ((spec.networks ?? []).length > 0 || (devices.interfaces ?? []).length > 0) return;
  devices.interfaces = [{ name: "default", bridge: {} }];
  spec.networks = [{ name: "default", pod: {} }];
}

/** SetDefaultVolumeDisk: every volume without a disk or filesystem gets a disk of its name. */
function setDefaultVolumeDisks(spec: VMISpec): void {
  const devices = spec.domain.devices;
  const used = new Set<string>();
  for (const d of devices.disks ?? []) used.add(d.name);
  for (const fs of devices.filesystems ?? []) if (typeof fs["name"] === "string") used.add(fs["name"]);
  for (const vol of spec.volumes ?? []) {
    if (!used.has(vol.name)) (devices.disks ??= []).push({ name: vol.name });
  }
}

/** Disk targets (SetDefaults_DiskDevice, SetDefaults_CDRomTarget) and amd64's SATA bus. */
function setDiskDefaults(spec: VMISpec): void {
  for (const disk of spec.domain.devices.disks ?? []) {
    if (disk["disk"] === undefined && disk["cdrom"] === undefined && disk["lun"] === undefined) disk["disk"] = {};
    const cdrom = disk["cdrom"];
    if (isObj(cdrom)) {
      cdrom["readonly"] ??= true;
      cdrom["tray"] ??= "closed";
    }
    if ((spec.architecture ?? "amd64") !== "amd64") continue;
    for (const target of ["disk", "cdrom", "lun"]) {
      const t = disk[target];
      if (isObj(t) && !t["bus"]) t["bus"] = "sata";
    }
  }
}

/** SetDefaults_Probe for VMI probes: timeout 1, period 10, success 1, failure 3. */
function setProbeDefaults(probe: Obj | undefined): void {
  if (!probe) return;
  const atLeastOne = (key: string, value: number): void => {
    const v = probe[key];
    if (typeof v !== "number" || v < 1) probe[key] = value;
  };
  atLeastOne("timeoutSeconds", 1);
  atLeastOne("periodSeconds", 10);
  atLeastOne("successThreshold", 1);
  atLeastOne("failureThreshold", 3);
}

/** Feature states, timers and the vendor ID default to enabled once present (SetDefaults_FeatureState…). */
function setEnabledDefaults(parent: unknown, keys: readonly string[]): void {
  if (!isObj(parent)) return;
  for (const key of keys) {
    const f = parent[key];
    if (isObj(f)) f["enabled"] ??= true;
  }
}

const HYPERV_FEATURES = [
  "relaxed", "vapic", "vpindex", "runtime", "synic", "synictimer", "reset",
  "frequencies", "reenlightenment", "tlbflush", "ipi", "evmcs", "spinlocks", "vendorid",
];

function setFeatureAndClockDefaults(spec: VMISpec): void {
  const features = (spec.domain.features ??= {});
  setEnabledDefaults(features, ["acpi", "apic", "smm", "pvspinlock"]);
  const hyperv = features["hyperv"];
  setEnabledDefaults(hyperv, HYPERV_FEATURES);
  if (isObj(hyperv) && isObj(hyperv["spinlocks"]) && hyperv["spinlocks"]["enabled"] === true) {
    hyperv["spinlocks"]["spinlocks"] ??= 4096;
  }
  const timer = spec.domain.clock?.["timer"];
  setEnabledDefaults(timer, ["hpet", "pit", "rtc", "hyperv", "kvm"]);
}

/** The container-disk pull policy rule (`setDefaultPullPoliciesOnContainerDisks`). */
function setContainerDiskPullPolicies(spec: VMISpec): void {
  for (const vol of spec.volumes ?? []) {
    const cd = vol.containerDisk;
    if (!cd || cd["imagePullPolicy"]) continue;
    const image = typeof cd["image"] === "string" ? cd["image"] : "";
    cd["imagePullPolicy"] = image.endsWith(":latest") || !/[:@]/.test(image) ? "Always" : "IfNotPresent";
  }
}

/** The defaults VM and VMI templates get too (vm-mutator's SetVirtualMachineDefaults). */
export function defaultArchitectureAndMachine(spec: VMISpec): void {
  spec.architecture ||= "amd64";
  const machine = (spec.domain.machine ??= {});
  machine.type ||= "q35";
}

/** SetDefaultVirtualMachineInstance on a VMI's spec, in upstream's order. */
export function defaultVMISpec(spec: VMISpec): void {
  defaultArchitectureAndMachine(spec);
  const resources = spec.domain.resources;
  const cpuLimit = resources?.limits?.["cpu"];
  if (resources && cpuLimit !== undefined && nonZero(cpuLimit) && !nonZero(resources.requests?.["cpu"])) {
    (resources.requests ??= {})["cpu"] = cpuLimit;
  }
  setGuestMemory(spec);
  setGuestCPUTopology(spec);
  setContainerDiskPullPolicies(spec);
  setDefaultNetworkInterface(spec);
  setDefaultVolumeDisks(spec);
  const firmware = (spec.domain.firmware ??= {});
  if (!firmware["uuid"]) firmware["uuid"] = crypto.randomUUID();
  setFeatureAndClockDefaults(spec);
  setDiskDefaults(spec);
  for (const input of spec.domain.devices.inputs ?? []) {
    input["bus"] ||= "usb";
    input["type"] ||= "tablet";
  }
  setProbeDefaults(spec.readinessProbe);
  setProbeDefaults(spec.livenessProbe);
  const cpu = (spec.domain.cpu ??= {});
  cpu.model ||= "host-model";
  const watchdog = spec.domain.devices.watchdog;
  if (watchdog && (spec.architecture ?? "amd64") === "amd64") {
    const i6300 = isObj(watchdog["i6300esb"]) ? watchdog["i6300esb"] : (watchdog["i6300esb"] = {});
    if (isObj(i6300)) i6300["action"] ||= "reset";
  }
}
