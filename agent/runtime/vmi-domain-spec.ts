/**
 * @module
 * The part of a VMI spec a libvirt domain is made from, read and checked
 * (defaults as KubeVirt's pkg/defaults and virt-launcher's converter): CPU
 * topology, guest memory, resource limits, machine type, firmware (BIOS,
 * EFI, kernel boot), disks paired with their volumes, interfaces, and
 * whether a VNC display is attached. Anything the adapter cannot honour is a
 * `DomainSpecError` naming the field, never a half-made domain.
 */
import { isRecord, num, str } from "../objects.ts";
import { parseQuantity } from "../../shared/k8s/quantity.ts";

/** A VMI field the libvirt adapter cannot honour; the message names it. */
export class DomainSpecError extends Error {
  override readonly name = "DomainSpecError";
}

/** A disk bus, as KubeVirt names them. */
export type DiskBus = "virtio" | "sata" | "scsi" | "usb";

/** Where a disk's contents come from. */
export type VolumeSource =
  | { kind: "containerDisk"; image: string; path?: string; pullPolicy?: string }
  | { kind: "cloudInitNoCloud"; userData: string; metaData?: string; networkData?: string }
  | { kind: "emptyDisk"; capacityBytes: number }
  | { kind: "hostDisk"; path: string; type: "Disk" | "DiskOrCreate"; capacityBytes?: number };

/** One disk of the domain, with its volume. */
export interface DiskSpec {
  name: string;
  device: "disk" | "cdrom";
  bus: DiskBus;
  readonly: boolean;
  bootOrder?: number;
  serial?: string;
  source: VolumeSource;
}

/** One network interface. */
export interface InterfaceSpec {
  name: string;
  /** masquerade, bridge, slirp, passt: how the pod network is bound; here all end on the host's mode. */
  binding: string;
  macAddress?: string;
  model: string;
}

/** What the domain is made from. */
export interface VMIDomainSpec {
  sockets: number;
  cores: number;
  threads: number;
  cpuModel?: string;
  memoryBytes: number;
  memoryLimitBytes?: number;
  cpuLimit?: number;
  machineType: string;
  firmware: {
    boot: "bios" | "efi";
    secureBoot: boolean;
    uuid?: string;
    serial?: string;
    kernelBoot?: { image: string; kernelPath?: string; initrdPath?: string; kernelArgs?: string; pullPolicy?: string };
  };
  disks: DiskSpec[];
  interfaces: InterfaceSpec[];
  vnc: boolean;
}

const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function quantity(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" && typeof value !== "number") throw new DomainSpecError(`${field}: a quantity is required, got ${JSON.stringify(value)}`);
  try {
    return parseQuantity(value);
  } catch (err) {
    throw new DomainSpecError(`${field}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function count(field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = num(value);
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > 512) throw new DomainSpecError(`${field}: must be a whole number from 1 to 512, got ${JSON.stringify(value)}`);
  return n;
}

function decoded(field: string, plain: unknown, base64: unknown): string | undefined {
  if (typeof plain === "string") return plain;
  if (typeof base64 !== "string") return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64.replace(/\s/g, ""))) throw new DomainSpecError(`${field}Base64: not valid base64`);
  return Buffer.from(base64, "base64").toString("utf8");
}

const BUSES: readonly string[] = ["virtio", "sata", "scsi", "usb"];

function volumeSource(name: string, volume: Record<string, unknown>): VolumeSource {
  const at = `spec.volumes[${name}]`;
  if (isRecord(volume.containerDisk)) {
    const image = str(volume.containerDisk.image);
    if (!image) throw new DomainSpecError(`${at}.containerDisk.image is required`);
    const path = str(volume.containerDisk.path);
    if (path !== undefined && (!path.startsWith("/") || path.split("/").includes(".."))) throw new DomainSpecError(`${at}.containerDisk.path must be absolute without "..", got "${path}"`);
    return { kind: "containerDisk", image, ...(path ? { path } : {}), ...(str(volume.containerDisk.imagePullPolicy) ? { pullPolicy: str(volume.containerDisk.imagePullPolicy) } : {}) };
  }
  if (isRecord(volume.cloudInitNoCloud)) {
    const c = volume.cloudInitNoCloud;
    if (c.secretRef !== undefined || c.networkDataSecretRef !== undefined) throw new DomainSpecError(`${at}.cloudInitNoCloud: secretRef is not supported by this host; inline userData instead`);
    const userData = decoded(`${at}.cloudInitNoCloud.userData`, c.userData, c.userDataBase64);
    const networkData = decoded(`${at}.cloudInitNoCloud.networkData`, c.networkData, c.networkDataBase64);
    if (userData === undefined && networkData === undefined) throw new DomainSpecError(`${at}.cloudInitNoCloud needs userData, userDataBase64, networkData or networkDataBase64`);
    return { kind: "cloudInitNoCloud", userData: userData ?? "", ...(networkData !== undefined ? { networkData } : {}) };
  }
  if (isRecord(volume.emptyDisk)) {
    const capacityBytes = quantity(`${at}.emptyDisk.capacity`, volume.emptyDisk.capacity);
    if (capacityBytes === undefined || capacityBytes <= 0) throw new DomainSpecError(`${at}.emptyDisk.capacity is required and must be positive`);
    return { kind: "emptyDisk", capacityBytes: Math.ceil(capacityBytes) };
  }
  if (isRecord(volume.hostDisk)) {
    const path = str(volume.hostDisk.path);
    if (!path || !path.startsWith("/")) throw new DomainSpecError(`${at}.hostDisk.path must be an absolute path`);
    const type = str(volume.hostDisk.type) ?? "Disk";
    if (type !== "Disk" && type !== "DiskOrCreate") throw new DomainSpecError(`${at}.hostDisk.type must be Disk or DiskOrCreate, got "${type}"`);
    const capacityBytes = quantity(`${at}.hostDisk.capacity`, volume.hostDisk.capacity);
    if (type === "DiskOrCreate" && !capacityBytes) throw new DomainSpecError(`${at}.hostDisk.capacity is required with type DiskOrCreate`);
    return { kind: "hostDisk", path, type, ...(capacityBytes ? { capacityBytes: Math.ceil(capacityBytes) } : {}) };
  }
  const kinds = Object.keys(volume).filter((k) => k !== "name");
  throw new DomainSpecError(`${at}: volume type ${kinds.length ? `"${kinds.join(", ")}"` : "(none)"} is not supported by this host (containerDisk, cloudInitNoCloud, emptyDisk, hostDisk are)`);
}

function disksOf(spec: Record<string, unknown>, devices: Record<string, unknown>): DiskSpec[] {
  const volumes = new Map<string, Record<string, unknown>>();
  for (const v of list(spec.volumes)) {
    const name = str(rec(v).name);
    if (!name) throw new DomainSpecError("spec.volumes[].name is required");
    if (volumes.has(name)) throw new DomainSpecError(`spec.volumes: duplicate name "${name}"`);
    volumes.set(name, rec(v));
  }
  const disks: DiskSpec[] = [];
  const used = new Set<string>();
  for (const d of list(devices.disks)) {
    const disk = rec(d);
    const name = str(disk.name);
    if (!name) throw new DomainSpecError("spec.domain.devices.disks[].name is required");
    const volume = volumes.get(name);
    if (!volume) throw new DomainSpecError(`spec.domain.devices.disks[${name}]: no volume named "${name}"`);
    if (used.has(name)) throw new DomainSpecError(`spec.domain.devices.disks: duplicate name "${name}"`);
    used.add(name);
    if (disk.lun !== undefined) throw new DomainSpecError(`spec.domain.devices.disks[${name}].lun is not supported by this host`);
    const cdrom = isRecord(disk.cdrom);
    const target = rec(cdrom ? disk.cdrom : disk.disk);
    const bus = str(target.bus) ?? (cdrom ? "sata" : "virtio");
    if (!BUSES.includes(bus)) throw new DomainSpecError(`spec.domain.devices.disks[${name}]: bus must be one of ${BUSES.join(", ")}, got "${bus}"`);
    const bootOrder = count(`spec.domain.devices.disks[${name}].bootOrder`, disk.bootOrder);
    disks.push({
      name, device: cdrom ? "cdrom" : "disk", bus: bus as DiskBus,
      readonly: cdrom ? target.readonly !== false : target.readonly === true,
      ...(bootOrder ? { bootOrder } : {}), ...(str(disk.serial) ? { serial: str(disk.serial) } : {}),
      source: volumeSource(name, volume),
    });
  }
  // Volumes without a disk get a virtio disk, as KubeVirt's defaults add one.
  for (const [name, volume] of volumes) {
    if (!used.has(name)) disks.push({ name, device: "disk", bus: "virtio", readonly: false, source: volumeSource(name, volume) });
  }
  return disks;
}

const BINDINGS = ["masquerade", "bridge", "slirp", "passt"];

function interfacesOf(spec: Record<string, unknown>, devices: Record<string, unknown>): InterfaceSpec[] {
  const given = list(devices.interfaces).map(rec);
  if (given.length === 0) {
    // KubeVirt adds the pod network with a masquerade interface unless autoattachPodInterface is false.
    return devices.autoattachPodInterface === false ? [] : [{ name: "default", binding: "masquerade", model: "virtio" }];
  }
  const networks = new Set(list(spec.networks).map((n) => str(rec(n).name)));
  return given.map((i) => {
    const name = str(i.name);
    if (!name) throw new DomainSpecError("spec.domain.devices.interfaces[].name is required");
    if (networks.size > 0 && !networks.has(name)) throw new DomainSpecError(`spec.domain.devices.interfaces[${name}]: no network named "${name}" in spec.networks`);
    const binding = BINDINGS.find((b) => i[b] !== undefined) ?? (i.sriov !== undefined ? "sriov" : "masquerade");
    if (binding === "sriov") throw new DomainSpecError(`spec.domain.devices.interfaces[${name}].sriov is not supported by this host`);
    const mac = str(i.macAddress);
    if (mac !== undefined && !/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(mac)) throw new DomainSpecError(`spec.domain.devices.interfaces[${name}].macAddress: not a MAC address: "${mac}"`);
    const model = str(i.model) ?? "virtio";
    if (!/^[A-Za-z0-9_-]+$/.test(model)) throw new DomainSpecError(`spec.domain.devices.interfaces[${name}].model: invalid "${model}"`);
    return { name, binding, model, ...(mac ? { macAddress: mac.replace(/-/g, ":").toLowerCase() } : {}) };
  });
}

/** Reads a VMI spec; throws `DomainSpecError` for what cannot become a domain. */
export function vmiDomainSpec(spec: Readonly<Record<string, unknown>>): VMIDomainSpec {
  const domain = rec(spec.domain);
  const cpu = rec(domain.cpu);
  const resources = rec(domain.resources);
  const requests = rec(resources.requests);
  const limits = rec(resources.limits);
  const devices = rec(domain.devices);

  const memoryBytes = quantity("spec.domain.memory.guest", rec(domain.memory).guest)
    ?? quantity("spec.domain.resources.requests.memory", requests.memory)
    ?? quantity("spec.domain.resources.limits.memory", limits.memory);
  if (!memoryBytes || memoryBytes < 16 * 1024 * 1024) {
    throw new DomainSpecError("spec.domain.memory.guest or spec.domain.resources.requests.memory is required (at least 16Mi)");
  }
  const memoryLimitBytes = quantity("spec.domain.resources.limits.memory", limits.memory);
  if (memoryLimitBytes !== undefined && memoryLimitBytes < memoryBytes) {
    throw new DomainSpecError("spec.domain.resources.limits.memory must not be below the guest memory");
  }
  const cpuLimit = quantity("spec.domain.resources.limits.cpu", limits.cpu);
  const topology = cpu.sockets !== undefined || cpu.cores !== undefined || cpu.threads !== undefined;
  // Without a topology KubeVirt derives the vCPUs from the CPU limit (else request), rounded up, as sockets.
  const fromResources = Math.max(1, Math.ceil(cpuLimit ?? quantity("spec.domain.resources.requests.cpu", requests.cpu) ?? 1));
  const sockets = count("spec.domain.cpu.sockets", cpu.sockets) ?? (topology ? 1 : fromResources);
  const cores = count("spec.domain.cpu.cores", cpu.cores) ?? 1;
  const threads = count("spec.domain.cpu.threads", cpu.threads) ?? 1;
  const cpuModel = str(cpu.model);
  if (cpuModel !== undefined && !/^[A-Za-z0-9._-]+$/.test(cpuModel)) throw new DomainSpecError(`spec.domain.cpu.model: invalid "${cpuModel}"`);

  const machineType = str(rec(domain.machine).type) ?? "q35";
  if (!/^[A-Za-z0-9._-]+$/.test(machineType)) throw new DomainSpecError(`spec.domain.machine.type: invalid "${machineType}"`);

  const firmware = rec(domain.firmware);
  const bootloader = rec(firmware.bootloader);
  const efi = isRecord(bootloader.efi);
  const kernel = isRecord(firmware.kernelBoot) ? firmware.kernelBoot : undefined;
  let kernelBoot: VMIDomainSpec["firmware"]["kernelBoot"];
  if (kernel) {
    const container = rec(kernel.container);
    const image = str(container.image);
    if (!image) throw new DomainSpecError("spec.domain.firmware.kernelBoot.container.image is required");
    const kernelPath = str(container.kernelPath);
    const initrdPath = str(container.initrdPath);
    if (!kernelPath && !initrdPath) throw new DomainSpecError("spec.domain.firmware.kernelBoot.container needs kernelPath or initrdPath");
    for (const [field, p] of [["kernelPath", kernelPath], ["initrdPath", initrdPath]] as const) {
      if (p !== undefined && (!p.startsWith("/") || p.split("/").includes(".."))) throw new DomainSpecError(`spec.domain.firmware.kernelBoot.container.${field} must be absolute without "..", got "${p}"`);
    }
    kernelBoot = {
      image, ...(kernelPath ? { kernelPath } : {}), ...(initrdPath ? { initrdPath } : {}),
      ...(str(kernel.kernelArgs) ? { kernelArgs: str(kernel.kernelArgs) } : {}),
      ...(str(container.imagePullPolicy) ? { pullPolicy: str(container.imagePullPolicy) } : {}),
    };
  }
  const uuid = str(firmware.uuid);
  if (uuid !== undefined && !/^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/.test(uuid)) throw new DomainSpecError(`spec.domain.firmware.uuid: not a UUID: "${uuid}"`);

  return {
    sockets, cores, threads, ...(cpuModel ? { cpuModel } : {}),
    memoryBytes: Math.ceil(memoryBytes), ...(memoryLimitBytes ? { memoryLimitBytes: Math.ceil(memoryLimitBytes) } : {}),
    ...(cpuLimit ? { cpuLimit } : {}),
    machineType,
    firmware: {
      boot: efi ? "efi" : "bios", secureBoot: efi && rec(bootloader.efi).secureBoot !== false,
      ...(uuid ? { uuid } : {}), ...(str(firmware.serial) ? { serial: str(firmware.serial) } : {}),
      ...(kernelBoot ? { kernelBoot } : {}),
    },
    disks: disksOf(spec, devices),
    interfaces: interfacesOf(spec, devices),
    vnc: devices.autoattachGraphicsDevice !== false,
  };
}
