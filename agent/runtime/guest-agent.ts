/**
 * @module
 * KubeVirt's guest agent documents (kubevirt.io/api/core/v1:
 * VirtualMachineInstanceGuestAgentInfo, VirtualMachineInstanceGuestOSUserList,
 * VirtualMachineInstanceFileSystemList), which virt-handler builds from the
 * QEMU guest agent's answers (`guest-info`, `guest-get-host-name`,
 * `guest-get-timezone`, `guest-get-osinfo`, `guest-get-users`,
 * `guest-get-fsinfo`), and the same mapping for our adapters. The API serves
 * them as `virtualmachineinstances/{name}/guestosinfo|userlist|filesystemlist`.
 */
import type { GuestQuery } from "../../shared/tunnel/frames.ts";
import { StreamRefusal } from "./streams.ts";
import type { GuestOSInfo } from "./vms.ts";

/** VirtualMachineInstanceGuestOSUser. */
export interface GuestUser {
  userName: string;
  domain?: string;
  /** Seconds since the epoch (a float, as qemu-ga's login-time). */
  loginTime?: number;
}

/** VirtualMachineInstanceFileSystem. */
export interface GuestFileSystem {
  diskName: string;
  mountPoint: string;
  fileSystemType: string;
  usedBytes: number;
  totalBytes: number;
  disk?: { serial?: string; busType: string }[];
}

/** What a guest agent told, in KubeVirt's terms. */
export interface GuestAgentFacts {
  guestAgentVersion: string;
  supportedCommands: { name: string; enabled: boolean }[];
  hostname: string;
  os: GuestOSInfo;
  timezone: string;
  users: GuestUser[];
  filesystems: GuestFileSystem[];
}

/** KubeVirt's answer to `query` from what the guest agent told. */
export function guestDocument(query: GuestQuery, facts: GuestAgentFacts): Record<string, unknown> {
  switch (query) {
    case "osinfo":
      return {
        guestAgentVersion: facts.guestAgentVersion, supportedCommands: facts.supportedCommands, hostname: facts.hostname,
        os: facts.os, timezone: facts.timezone, userList: facts.users, fsInfo: { disks: facts.filesystems }, fsFreezeStatus: "thawed",
      };
    case "users":
      return { metadata: {}, items: facts.users };
    case "filesystems":
      return { metadata: {}, items: facts.filesystems };
  }
}

/** KubeVirt's refusals before asking: the VMI must run and its guest agent be connected (409, as virt-api validates). */
export function guestAgentAbsent(name: string): StreamRefusal {
  return new StreamRefusal(409, "Conflict", `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": VMI does not have guest agent connected`);
}

const rec = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** The `return` member of a qemu-agent-command answer. */
export function agentReturn(json: string): unknown {
  try {
    return (JSON.parse(json) as { return?: unknown } | null)?.return;
  } catch {
    return undefined;
  }
}

/** `guest-info`: the agent's version and commands. */
export function parseGuestInfo(ret: unknown): Pick<GuestAgentFacts, "guestAgentVersion" | "supportedCommands"> {
  const r = rec(ret);
  return {
    guestAgentVersion: str(r.version),
    supportedCommands: arr(r.supported_commands).map((c) => ({ name: str(rec(c).name), enabled: rec(c).enabled === true })),
  };
}

/** `guest-get-timezone`: virt-handler's "zone, offset" form. */
export function parseTimezone(ret: unknown): string {
  const r = rec(ret);
  return `${str(r.zone)}, ${num(r.offset)}`;
}

/** `guest-get-users`. */
export function parseUsers(ret: unknown): GuestUser[] {
  return arr(ret).filter((u) => typeof rec(u).user === "string").map((u) => {
    const r = rec(u);
    return { userName: str(r.user), ...(str(r.domain) ? { domain: str(r.domain) } : {}), ...(r["login-time"] !== undefined ? { loginTime: num(r["login-time"]) } : {}) };
  });
}

/** `guest-get-fsinfo`. */
export function parseFileSystems(ret: unknown): GuestFileSystem[] {
  return arr(ret).map((f) => {
    const r = rec(f);
    const disks = arr(r.disk).map((d) => ({ ...(str(rec(d).serial) ? { serial: str(rec(d).serial) } : {}), busType: str(rec(d)["bus-type"]) }));
    return {
      diskName: str(r.name), mountPoint: str(r.mountpoint), fileSystemType: str(r.type),
      usedBytes: num(r["used-bytes"]), totalBytes: num(r["total-bytes"]), ...(disks.length > 0 ? { disk: disks } : {}),
    };
  });
}
