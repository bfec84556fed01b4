import { describe, it } from "vitest";
import { parseEventLine } from "./domain-events.ts";
import { exitOf, isActive, isPaused, parseDomState } from "./domain-state.ts";
import { interfacesOf, parseDomIfAddr, parseOsInfo } from "./guest-info.ts";
import { domainNameFor } from "./libvirt-record.ts";
import { noCloudIso } from "./nocloud-iso.ts";

describe("virsh output", () => {
  it("reads domstate --reason and maps ended domains to exits as virt-handler does", ({ expect }) => {
    expect(parseDomState("running (booted)\n\n")).toEqual({ state: "running", reason: "booted" });
    const paused = parseDomState("paused (user)");
    expect([isActive(paused), isPaused(paused)]).toEqual([true, true]);
    expect(isActive(parseDomState("in shutdown (user)"))).toBe(true);
    expect(exitOf(parseDomState("shut off (shutdown)"), false)).toEqual({ exitCode: 0, reason: "Shutdown" });
    expect(exitOf(parseDomState("shut off (crashed)"), false)).toEqual(expect.objectContaining({ exitCode: 1, reason: "Crashed" }));
    expect(exitOf(parseDomState("shut off (failed)"), false).reason).toBe("Crashed");
    expect(exitOf(parseDomState("shut off (destroyed)"), true)).toEqual(expect.objectContaining({ exitCode: 137, reason: "Destroyed" }));
  });

  it("reads event lines", ({ expect }) => {
    expect(parseEventLine("2026-12-03 07:33:24.265+0000: event 'lifecycle' for domain 'duraplane-a_b-1': Stopped Failed"))
      .toEqual({ type: "lifecycle", domain: "duraplane-a_b-1", detail: "Stopped Failed" });
    expect(parseEventLine("event 'agent-lifecycle' for domain 'd': state: 'connected' reason: 'channel event'")?.type).toBe("agent-lifecycle");
    expect(parseEventLine("events received: 3")).toBeUndefined();
  });

  it("reads interfaces from the domain XML and addresses from domifaddr", ({ expect }) => {
    const xml = `<domain><devices><interface type='user'><mac address='52:54:00:aa:bb:cc'/><model type='virtio'/><alias name='ua-default'/></interface>
      <interface type='bridge'><mac address='02:00:00:00:00:01'/><target dev='vnet3'/><alias name='net1'/></interface></devices></domain>`;
    expect(interfacesOf(xml)).toEqual([{ name: "default", mac: "52:54:00:aa:bb:cc" }, { name: "net1", mac: "02:00:00:00:00:01" }]);
    const out = ` Name       MAC address          Protocol     Address
-------------------------------------------------------------------------------
 vnet0      52:54:00:AA:BB:CC    ipv6         fe80::1/64
 -          -                    ipv4         192.168.122.5/24
 vnet1      02:00:00:00:00:01    ipv4         10.0.0.7/8
`;
    expect([...parseDomIfAddr(out)]).toEqual([["52:54:00:aa:bb:cc", "192.168.122.5"], ["02:00:00:00:00:01", "10.0.0.7"]]);
  });

  it("reads guest-get-osinfo", ({ expect }) => {
    const info = parseOsInfo(JSON.stringify({ return: { id: "fedora", name: "Fedora Linux", "pretty-name": "Fedora Linux 41", version: "41", "version-id": "41", "kernel-release": "6.11", "kernel-version": "#1", machine: "x86_64" } }));
    expect(info).toEqual({ id: "fedora", name: "Fedora Linux", prettyName: "Fedora Linux 41", version: "41", versionId: "41", kernelRelease: "6.11", kernelVersion: "#1", machine: "x86_64" });
    expect(parseOsInfo("error: guest agent is not connected")).toBeUndefined();
  });

  it("names domains readably and uniquely", ({ expect }) => {
    expect(domainNameFor("duraplane-", { uid: "6a1b2c3d-0000", namespace: "default", name: "testvm" })).toBe("duraplane-default_testvm-6a1b2c3d");
  });
});

describe("NoCloud seed ISO", () => {
  it("is an ISO 9660 volume labelled cidata whose root holds user-data and meta-data", ({ expect }) => {
    const iso = noCloudIso({ userData: "#cloud-config\n", metaData: "instance-id: a.b\n" });
    const pvd = iso.subarray(16 * 2048);
    expect(pvd.subarray(1, 6).toString()).toBe("CD001");
    expect(pvd.subarray(40, 72).toString().trim()).toBe("cidata");
    expect(pvd.readUInt32LE(80) * 2048).toBe(iso.length);
    // Walk the root directory the PVD points at.
    const rootExtent = pvd.readUInt32LE(156 + 2);
    const dir = iso.subarray(rootExtent * 2048, rootExtent * 2048 + 2048);
    const files: Record<string, string> = {};
    for (let at = 0; dir[at]; at += dir[at] ?? 0) {
      const id = dir.subarray(at + 33, at + 33 + (dir[at + 32] ?? 0)).toString("latin1");
      const extent = dir.readUInt32LE(at + 2);
      const size = dir.readUInt32LE(at + 10);
      if (id.length > 1) files[id] = iso.subarray(extent * 2048, extent * 2048 + size).toString();
    }
    expect(files).toEqual({ "META-DATA.;1": "instance-id: a.b\n", "USER-DATA.;1": "#cloud-config\n" });
  });
});
