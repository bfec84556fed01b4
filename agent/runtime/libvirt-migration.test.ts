import { describe, it } from "vitest";
import { hasWritableDisk, hostOf, peerUri, renameDomainXml } from "./libvirt-migration.ts";

describe("libvirt migration helpers", () => {
  it("reads the host of host:port and [v6]:port, and refuses anything else", ({ expect }) => {
    expect(hostOf("10.0.0.5:16509")).toBe("10.0.0.5");
    expect(hostOf("node-b.example:16510")).toBe("node-b.example");
    expect(hostOf("[fd00::5]:16509")).toBe("[fd00::5]");
    expect(hostOf("10.0.0.5")).toBe("10.0.0.5");
    expect(() => hostOf("qemu+tcp://10.0.0.5/system")).toThrow(/not host:port/);
    expect(peerUri("10.0.0.5:16509")).toBe("qemu+tcp://10.0.0.5:16509/system");
  });

  it("copies storage only for disks QEMU writes to", ({ expect }) => {
    const disk = (device: string, readonly: boolean) =>
      `<disk type='file' device='${device}'><source file='/x'/><target dev='vda' bus='virtio'/>${readonly ? "<readonly/>" : ""}</disk>`;
    expect(hasWritableDisk(`<domain><devices>${disk("disk", false)}</devices></domain>`)).toBe(true);
    expect(hasWritableDisk(`<domain><devices>${disk("cdrom", true)}${disk("disk", true)}</devices></domain>`)).toBe(false);
    expect(hasWritableDisk("<domain><devices><serial type='pty'/></devices></domain>")).toBe(false);
  });

  it("renames the domain, not the elements inside it that carry a name", ({ expect }) => {
    const xml = "<domain type='qemu'>\n  <name>duraplane-b_ns_vm-1234</name>\n  <devices><interface><alias name='ua-x'/></interface></devices>\n</domain>";
    const renamed = renameDomainXml(xml, "duraplane-a_ns_vm-1234");
    expect(renamed).toContain("<name>duraplane-a_ns_vm-1234</name>");
    expect(renamed).not.toContain("duraplane-b_");
    expect(renamed).toContain("<alias name='ua-x'/>");
  });
});
