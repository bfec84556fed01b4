/**
 * @module
 * A libvirt guest's agent, asked through `virsh qemu-agent-command` as
 * virt-launcher asks it over the domain's org.qemu.guest_agent.0 channel, and
 * answered in KubeVirt's terms (guest-agent.ts). Only what the query needs is
 * asked; a guest without a connected agent is refused before anything is.
 */
import type { GuestQuery } from "../../shared/tunnel/frames.ts";
import {
  agentReturn, type GuestAgentFacts, guestAgentAbsent, guestDocument, parseFileSystems, parseGuestInfo, parseTimezone, parseUsers,
} from "./guest-agent.ts";
import { parseOsInfo } from "./guest-info.ts";
import type { LibvirtStreamSource } from "./libvirt-streams.ts";
import { notHere, StreamRefusal, type WorkloadRef } from "./streams.ts";

const EMPTY_OS = { id: "", name: "", prettyName: "", version: "", versionId: "", kernelRelease: "", kernelVersion: "", machine: "" };

/** Answers `query` from the guest agent of `vmi`'s domain. */
export async function libvirtGuest(source: LibvirtStreamSource, vmi: WorkloadRef, query: GuestQuery): Promise<Record<string, unknown>> {
  const domain = source.domainOf(vmi.uid);
  if (!domain) throw notHere(`VirtualMachineInstance "${vmi.namespace}/${vmi.name}"`);
  if (!source.running(vmi.uid) || !source.guestAgentConnected(vmi.uid)) throw guestAgentAbsent(vmi.name);
  const ask = async (command: string): Promise<string> => {
    try {
      return await source.virsh.run(["qemu-agent-command", domain, JSON.stringify({ execute: command }), "--timeout", "5"], 10_000);
    } catch (err) {
      throw new StreamRefusal(503, "ServiceUnavailable", `the guest agent of "${vmi.name}" did not answer ${command}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const facts: GuestAgentFacts = {
    guestAgentVersion: "", supportedCommands: [], hostname: "", os: EMPTY_OS, timezone: "", users: [], filesystems: [],
  };
  if (query === "osinfo") {
    Object.assign(facts, parseGuestInfo(agentReturn(await ask("guest-info"))));
    facts.hostname = String((agentReturn(await ask("guest-get-host-name")) as { "host-name"?: unknown } | undefined)?.["host-name"] ?? "");
    facts.os = parseOsInfo(await ask("guest-get-osinfo")) ?? EMPTY_OS;
    facts.timezone = parseTimezone(agentReturn(await ask("guest-get-timezone")));
  }
  if (query === "osinfo" || query === "users") facts.users = parseUsers(agentReturn(await ask("guest-get-users")));
  if (query === "osinfo" || query === "filesystems") facts.filesystems = parseFileSystems(agentReturn(await ask("guest-get-fsinfo")));
  return guestDocument(query, facts);
}
