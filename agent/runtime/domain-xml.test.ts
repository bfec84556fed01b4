import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "vitest";
import { type DomainHost, domainXml, targetDev } from "./domain-xml.ts";
import { DomainSpecError, vmiDomainSpec } from "./vmi-domain-spec.ts";

// Regenerate with UPDATE_GOLDEN=1 after an intended change, and read the diff.
const golden = (name: string, actual: string): string => {
  const path = new URL(`./testdata/${name}.xml`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, actual);
  return readFileSync(path, "utf8");
};

const UID = "6a1b2c3d-0000-4000-8000-00000000000a";

function host(extra: Partial<DomainHost> = {}): DomainHost {
  return {
    domainName: "duraplane-default_testvm-6a1b2c3d", vmi: { uid: UID, namespace: "default", name: "testvm" }, type: "qemu",
    serialLog: `/var/lib/duraplane/vms/${UID}/serial.log`, network: { mode: "user" }, disks: {}, macs: { default: "52:54:00:aa:bb:cc" },
    ...extra,
  };
}

const SPECS: Record<string, { spec: Record<string, unknown>; host: Partial<DomainHost> }> = {
  // The tests' tiny VM: kernel boot, a containerDisk, no VNC.
  "kernel-boot": {
    spec: {
      domain: {
        memory: { guest: "256Mi" },
        firmware: { kernelBoot: { kernelArgs: "quiet panic=-1", container: { image: "localhost/duraplane/tiny-vm:latest", kernelPath: "/boot/vmlinuz", initrdPath: "/boot/initrd.gz" } } },
        devices: { autoattachGraphicsDevice: false, disks: [{ name: "data", disk: { bus: "virtio" } }] },
      },
      volumes: [{ name: "data", containerDisk: { image: "localhost/duraplane/data-disk:latest" } }],
    },
    host: {
      kernel: { kernel: `/var/lib/duraplane/vms/${UID}/kernel`, initrd: `/var/lib/duraplane/vms/${UID}/initrd` },
      disks: { data: { path: `/var/lib/duraplane/vms/${UID}/disk-0`, format: "raw" } },
    },
  },
  // A cloud image VM: topology, limits, a qcow2 containerDisk, cloud-init, an empty disk, a SATA cdrom, bridge networking, KVM.
  "cloud-vm": {
    spec: {
      domain: {
        cpu: { sockets: 1, cores: 2, threads: 2, model: "host-passthrough" },
        resources: { requests: { memory: "2Gi" }, limits: { memory: "3Gi", cpu: "1500m" } },
        machine: { type: "pc-q35-7.2" },
        firmware: { uuid: "5d307ca9-b3ef-428c-8861-06e72d69f223", serial: "sn-42" },
        devices: {
          disks: [
            { name: "root", disk: { bus: "virtio" }, bootOrder: 1 },
            { name: "cloudinit", disk: { bus: "virtio" } },
            { name: "iso", cdrom: { bus: "sata" } },
            { name: "scratch", disk: { bus: "virtio" }, serial: "scratch-1" },
          ],
          interfaces: [{ name: "default", bridge: {}, macAddress: "02:00:00:00:00:01" }],
        },
      },
      networks: [{ name: "default", pod: {} }],
      volumes: [
        { name: "root", containerDisk: { image: "quay.io/containerdisks/fedora:41" } },
        { name: "cloudinit", cloudInitNoCloud: { userData: "#cloud-config\npassword: fedora\n" } },
        { name: "iso", hostDisk: { path: "/srv/isos/tools.iso", type: "Disk" } },
        { name: "scratch", emptyDisk: { capacity: "10Gi" } },
      ],
    },
    host: {
      type: "kvm", network: { mode: "bridge", bridge: "br0" }, macs: { default: "02:00:00:00:00:01" },
      disks: {
        root: { path: `/var/lib/duraplane/vms/${UID}/disk-0`, format: "qcow2" },
        cloudinit: { path: `/var/lib/duraplane/vms/${UID}/disk-1-cidata.iso`, format: "raw" },
        iso: { path: "/srv/isos/tools.iso", format: "raw" },
        scratch: { path: `/var/lib/duraplane/vms/${UID}/disk-3-empty.img`, format: "raw" },
      },
    },
  },
  // EFI with secure boot, vCPUs from the CPU request, a volume without a disk (gets a virtio one), VNC, hostile strings.
  "efi-escaped": {
    spec: {
      domain: {
        resources: { requests: { memory: "1Gi", cpu: "3" } },
        firmware: { bootloader: { efi: {} } },
        devices: { disks: [{ name: "a&b", disk: { bus: "sata" } }] },
      },
      volumes: [
        { name: "a&b", hostDisk: { path: "/data/<x>&\"'.img", type: "DiskOrCreate", capacity: "1Gi" } },
        { name: "extra", emptyDisk: { capacity: "1Mi" } },
      ],
    },
    host: {
      vmi: { uid: "not-a-uuid", namespace: "team-a", name: "vm\"><evil/>" }, domainName: "duraplane-team-a_vm---evil---not-a-uu",
      disks: { "a&b": { path: "/data/<x>&\"'.img", format: "raw" }, extra: { path: "/var/lib/duraplane/vms/x/disk-1-empty.img", format: "raw" } },
    },
  },
};

describe("VMI spec → libvirt domain XML (golden files in testdata/)", () => {
  for (const [name, { spec, host: extra }] of Object.entries(SPECS)) {
    it(name, ({ expect }) => {
      expect(domainXml(vmiDomainSpec(spec), host(extra))).toBe(golden(name, domainXml(vmiDomainSpec(spec), host(extra))));
    });
  }

  it("escapes every user string: the hostile name and path stay attribute and text values", ({ expect }) => {
    const { spec, host: extra } = SPECS["efi-escaped"] ?? { spec: {}, host: {} };
    const xml = domainXml(vmiDomainSpec(spec), host(extra));
    expect(xml).not.toContain("<evil/>");
    expect(xml).toContain('name="vm&quot;&gt;&lt;evil/&gt;"');
    expect(xml).toContain('file="/data/&lt;x&gt;&amp;&quot;&apos;.img"');
  });

  it("names targets as libvirt does", ({ expect }) => {
    expect([0, 1, 25, 26, 27].map((i) => targetDev("vd", i))).toEqual(["vda", "vdb", "vdz", "vdaa", "vdab"]);
  });
});

describe("VMI spec → domain: bad input names the field", () => {
  const base = { domain: { memory: { guest: "128Mi" }, devices: {} } };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["no memory", { domain: { devices: {} } }, /spec\.domain\.memory\.guest or spec\.domain\.resources\.requests\.memory is required/],
    ["bad quantity", { domain: { memory: { guest: "lots" } } }, /spec\.domain\.memory\.guest: quantities must match/],
    ["limit below guest memory", { domain: { memory: { guest: "1Gi" }, resources: { limits: { memory: "512Mi" } } } }, /limits\.memory must not be below/],
    ["bad topology", { domain: { ...base.domain, cpu: { cores: 0 } } }, /spec\.domain\.cpu\.cores: must be a whole number/],
    ["disk without volume", { domain: { ...base.domain, devices: { disks: [{ name: "d" }] } } }, /disks\[d\]: no volume named "d"/],
    ["unsupported volume", { ...base, volumes: [{ name: "pvc", persistentVolumeClaim: { claimName: "x" } }] }, /volume type "persistentVolumeClaim" is not supported/],
    ["emptyDisk without capacity", { ...base, volumes: [{ name: "e", emptyDisk: {} }] }, /emptyDisk\.capacity is required/],
    ["relative hostDisk", { ...base, volumes: [{ name: "h", hostDisk: { path: "x.img" } }] }, /hostDisk\.path must be an absolute path/],
    ["kernelBoot without image", { domain: { ...base.domain, firmware: { kernelBoot: { container: { kernelPath: "/k" } } } } }, /kernelBoot\.container\.image is required/],
    ["kernelPath escaping the image", { domain: { ...base.domain, firmware: { kernelBoot: { container: { image: "i", kernelPath: "/../../etc/shadow" } } } } }, /kernelPath must be absolute without/],
    ["bad bus", { domain: { ...base.domain, devices: { disks: [{ name: "v", disk: { bus: "ide" } }] } }, volumes: [{ name: "v", emptyDisk: { capacity: "1Mi" } }] }, /bus must be one of virtio, sata, scsi, usb, got "ide"/],
    ["bad MAC", { domain: { ...base.domain, devices: { interfaces: [{ name: "default", masquerade: {}, macAddress: "nope" }] } } }, /macAddress: not a MAC address/],
    ["sriov", { domain: { ...base.domain, devices: { interfaces: [{ name: "default", sriov: {} }] } } }, /sriov is not supported/],
    ["machine type injection", { domain: { ...base.domain, machine: { type: "q35'/><x" } } }, /spec\.domain\.machine\.type: invalid/],
    ["cloud-init secretRef", { ...base, volumes: [{ name: "c", cloudInitNoCloud: { secretRef: { name: "s" } } }] }, /secretRef is not supported/],
  ];
  for (const [name, spec, message] of cases) {
    it(name, ({ expect }) => {
      expect(() => vmiDomainSpec(spec)).toThrow(DomainSpecError);
      expect(() => vmiDomainSpec(spec)).toThrow(message);
    });
  }
});
