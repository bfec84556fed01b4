/**
 * qemu-ga's answers → KubeVirt's guest agent documents, with the answers
 * shaped as QEMU 7.2's guest agent sends them.
 */
import { describe, expect, it } from "vitest";
import { agentReturn, guestDocument, parseFileSystems, parseGuestInfo, parseTimezone, parseUsers } from "./guest-agent.ts";
import { SIMULATED_GUEST } from "./simulated-vms.ts";

describe("guest agent documents", () => {
  const fsinfo = agentReturn(JSON.stringify({ return: [
    { name: "vda1", mountpoint: "/", type: "ext4", "used-bytes": 1000, "total-bytes": 5000, disk: [{ serial: "abc", "bus-type": "virtio", bus: 0, target: 0, unit: 0, dev: "/dev/vda1" }] },
    { name: "sr0", mountpoint: "/media", type: "iso9660", disk: [] },
  ] }));

  it("maps guest-get-fsinfo, guest-get-users, guest-get-timezone and guest-info", () => {
    expect(parseFileSystems(fsinfo)).toEqual([
      { diskName: "vda1", mountPoint: "/", fileSystemType: "ext4", usedBytes: 1000, totalBytes: 5000, disk: [{ serial: "abc", busType: "virtio" }] },
      { diskName: "sr0", mountPoint: "/media", fileSystemType: "iso9660", usedBytes: 0, totalBytes: 0 },
    ]);
    expect(parseUsers(agentReturn('{"return":[{"user":"fedora","login-time":1700000000.25},{"user":"Administrator","domain":"CORP"}]}'))).toEqual([
      { userName: "fedora", loginTime: 1700000000.25 }, { userName: "Administrator", domain: "CORP" },
    ]);
    expect(parseTimezone(agentReturn('{"return":{"zone":"CET","offset":3600}}'))).toBe("CET, 3600");
    expect(parseGuestInfo(agentReturn('{"return":{"version":"7.2.0","supported_commands":[{"name":"guest-ping","enabled":true,"success-response":true},{"name":"guest-exec","enabled":false}]}}')))
      .toEqual({ guestAgentVersion: "7.2.0", supportedCommands: [{ name: "guest-ping", enabled: true }, { name: "guest-exec", enabled: false }] });
  });

  it("reads garbage as nothing rather than failing", () => {
    expect(agentReturn("not json")).toBeUndefined();
    expect(parseUsers(agentReturn('{"return":{"user":"x"}}'))).toEqual([]);
    expect(parseFileSystems(undefined)).toEqual([]);
    expect(parseUsers(agentReturn('{"return":[null, 3, {"user": 5}]}'))).toEqual([]);
  });

  it("builds KubeVirt's three documents", () => {
    const facts = {
      guestAgentVersion: "7.2.0", supportedCommands: [], hostname: "vm1", os: SIMULATED_GUEST, timezone: "UTC, 0",
      users: [{ userName: "fedora" }], filesystems: parseFileSystems(fsinfo),
    };
    expect(guestDocument("osinfo", facts)).toMatchObject({ hostname: "vm1", os: { id: "fedora" }, userList: [{ userName: "fedora" }], fsInfo: { disks: [{ diskName: "vda1" }, { diskName: "sr0" }] } });
    expect(guestDocument("users", facts)).toEqual({ metadata: {}, items: [{ userName: "fedora" }] });
    expect(guestDocument("filesystems", facts)).toMatchObject({ metadata: {}, items: [{ mountPoint: "/" }, { mountPoint: "/media" }] });
  });
});
