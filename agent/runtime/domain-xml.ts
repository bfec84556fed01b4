/**
 * @module
 * A VMI as a libvirt domain, as KubeVirt's virt-launcher converts it
 * (pkg/virt-launcher/virtwrap/converter): CPU topology and limits, memory,
 * machine, firmware or direct kernel boot, one `<disk>` per disk with the
 * host file its volume became, interfaces, a serial console that is always
 * there (a pty for `virsh console`, copied into a log file by virtlogd) and
 * VNC unless the VMI opts out. The VMI's identity goes into `<metadata>`
 * under our own namespace, which is how a restarted agent adopts its domains.
 * A pure function: the adapter resolves images and creates files first.
 */
import { el, renderXml, type XmlElement } from "./xml.ts";
import type { DiskBus, VMIDomainSpec } from "./vmi-domain-spec.ts";

/** Our XML namespace in a domain's `<metadata>`. */
export const METADATA_NS = "https://duraplane.io/xmlns/libvirt/vmi/v1";
/** The prefix bound to it. */
export const METADATA_PREFIX = "duraplane";

/** How interfaces reach a network on this host. */
export type HostNetwork = { mode: "user" } | { mode: "bridge"; bridge: string };

/** Where a volume's disk is on the host. */
export interface HostDisk {
  path: string;
  format: "raw" | "qcow2";
}

/** Everything the domain needs beyond the VMI spec. */
export interface DomainHost {
  domainName: string;
  vmi: { uid: string; namespace: string; name: string };
  /** `kvm` when the host's KVM can run a guest (kvm.ts), else `qemu` (TCG emulation). */
  type: "kvm" | "qemu";
  serialLog: string;
  network: HostNetwork;
  /** Kernel and initrd copied for this domain (kernel boot). */
  kernel?: { kernel?: string; initrd?: string };
  /** Per disk name. */
  disks: Record<string, HostDisk>;
  /** One MAC per interface name (the VMI's own or a stable one). */
  macs: Record<string, string>;
}

const PREFIX: Record<DiskBus, string> = { virtio: "vd", sata: "sd", scsi: "sd", usb: "sd" };
const UUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;

/** libvirt's user alias for a named device (`ua-` and [A-Za-z0-9_-] only); KubeVirt's names are DNS labels, so they pass unchanged. */
export function userAlias(name: string): string {
  return `ua-${name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/** `vda`, `vdb`, … `vdz`, `vdaa`: libvirt's target names. */
export function targetDev(prefix: string, index: number): string {
  let name = "";
  let i = index;
  do {
    name = String.fromCharCode(97 + (i % 26)) + name;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return prefix + name;
}

function osElement(spec: VMIDomainSpec, host: DomainHost): XmlElement {
  const kernelBoot = spec.firmware.kernelBoot;
  const efi = spec.firmware.boot === "efi";
  return el("os", efi ? { firmware: "efi" } : {},
    el("type", { arch: "x86_64", machine: spec.machineType }, "hvm"),
    efi && el("firmware", {}, el("feature", { enabled: spec.firmware.secureBoot ? "yes" : "no", name: "secure-boot" })),
    efi && spec.firmware.secureBoot && el("loader", { secure: "yes" }),
    host.kernel?.kernel && el("kernel", {}, host.kernel.kernel),
    host.kernel?.initrd && el("initrd", {}, host.kernel.initrd),
    // The serial console is the guest's console, so `virsh console` and the log show boot and init.
    host.kernel?.kernel && el("cmdline", {}, ["console=ttyS0", kernelBoot?.kernelArgs].filter(Boolean).join(" ")),
    // Without disk bootOrder, boot from the first disk (KubeVirt leaves it to the firmware likewise).
    !host.kernel?.kernel && !spec.disks.some((d) => d.bootOrder) && el("boot", { dev: "hd" }),
    el("smbios", { mode: "sysinfo" }),
  );
}

function disksElements(spec: VMIDomainSpec, host: DomainHost): XmlElement[] {
  const next: Record<string, number> = {};
  return spec.disks.map((disk) => {
    const file = host.disks[disk.name];
    if (!file) throw new Error(`no host file for disk "${disk.name}"`);
    const prefix = PREFIX[disk.bus];
    const index = next[prefix] ?? 0;
    next[prefix] = index + 1;
    return el("disk", { type: "file", device: disk.device },
      el("driver", { name: "qemu", type: file.format, ...(disk.device === "disk" ? { discard: "unmap" } : {}) }),
      el("source", { file: file.path }),
      el("target", { dev: targetDev(prefix, index), bus: disk.bus }),
      disk.readonly && el("readonly"),
      disk.bootOrder !== undefined && el("boot", { order: disk.bootOrder }),
      disk.serial !== undefined && el("serial", {}, disk.serial),
      el("alias", { name: userAlias(disk.name) }),
    );
  });
}

function interfaceElements(spec: VMIDomainSpec, host: DomainHost): XmlElement[] {
  return spec.interfaces.map((i) => {
    const mac = host.macs[i.name];
    const bridge = host.network.mode === "bridge" ? host.network.bridge : undefined;
    return el("interface", { type: bridge ? "bridge" : "user" },
      bridge !== undefined && el("source", { bridge }),
      mac && el("mac", { address: mac }),
      el("model", { type: i.model }),
      el("alias", { name: userAlias(i.name) }),
    );
  });
}

/** The domain XML for `spec` on this host. */
export function domainXml(spec: VMIDomainSpec, host: DomainHost): string {
  const vcpus = spec.sockets * spec.cores * spec.threads;
  const uuid = spec.firmware.uuid ?? (UUID.test(host.vmi.uid) ? host.vmi.uid : undefined);
  const memoryKiB = Math.ceil(spec.memoryBytes / 1024);
  // host-passthrough/host-model need KVM; under TCG they fall back to QEMU's default model.
  const hostMode = spec.cpuModel === "host-passthrough" || spec.cpuModel === "host-model";
  const namedModel = spec.cpuModel && !hostMode ? spec.cpuModel : undefined;
  const cpuAttrs = host.type === "kvm" && hostMode && spec.cpuModel ? { mode: spec.cpuModel } : namedModel ? { mode: "custom", match: "exact" } : {};
  const period = 100_000;
  const domain = el("domain", { type: host.type },
    el("name", {}, host.domainName),
    uuid && el("uuid", {}, uuid),
    el("metadata", {},
      el(`${METADATA_PREFIX}:vmi`, { [`xmlns:${METADATA_PREFIX}`]: METADATA_NS, uid: host.vmi.uid, namespace: host.vmi.namespace, name: host.vmi.name }),
    ),
    el("memory", { unit: "KiB" }, String(memoryKiB)),
    el("currentMemory", { unit: "KiB" }, String(memoryKiB)),
    spec.memoryLimitBytes !== undefined && el("memtune", {}, el("hard_limit", { unit: "KiB" }, String(Math.ceil(spec.memoryLimitBytes / 1024)))),
    el("vcpu", { placement: "static" }, String(vcpus)),
    spec.cpuLimit !== undefined && el("cputune", {},
      el("global_period", {}, String(period)),
      el("global_quota", {}, String(Math.max(1000, Math.round(spec.cpuLimit * period)))),
    ),
    el("sysinfo", { type: "smbios" },
      el("system", {},
        el("entry", { name: "manufacturer" }, "duraplane"),
        el("entry", { name: "product" }, "None"),
        spec.firmware.serial !== undefined && el("entry", { name: "serial" }, spec.firmware.serial),
        uuid && el("entry", { name: "uuid" }, uuid),
      ),
    ),
    osElement(spec, host),
    // ACPI carries the power button that a graceful stop presses.
    el("features", {}, el("acpi"), el("apic"), spec.firmware.boot === "efi" && spec.firmware.secureBoot && el("smm", { state: "on" })),
    el("cpu", cpuAttrs,
      namedModel !== undefined && el("model", { fallback: "forbid" }, namedModel),
      el("topology", { sockets: spec.sockets, dies: 1, cores: spec.cores, threads: spec.threads }),
    ),
    el("clock", { offset: "utc" }),
    el("on_poweroff", {}, "destroy"),
    el("on_reboot", {}, "restart"),
    el("on_crash", {}, "destroy"),
    el("devices", {},
      ...disksElements(spec, host),
      ...interfaceElements(spec, host),
      el("serial", { type: "pty" },
        el("log", { file: host.serialLog, append: "on" }),
        el("target", { port: 0 }),
      ),
      el("console", { type: "pty" }, el("target", { type: "serial", port: 0 })),
      // The QEMU guest agent's channel, as KubeVirt always adds: guestOSInfo and addresses when the guest runs one.
      el("channel", { type: "unix" }, el("target", { type: "virtio", name: "org.qemu.guest_agent.0" })),
      spec.vnc && el("graphics", { type: "vnc", autoport: "yes", listen: "127.0.0.1" }, el("listen", { type: "address", address: "127.0.0.1" })),
      el("video", {}, el("model", spec.vnc ? { type: "vga", vram: 16384, heads: 1 } : { type: "none" })),
      el("memballoon", { model: "none" }),
    ),
  );
  return renderXml(domain);
}
