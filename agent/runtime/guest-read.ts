/**
 * @module
 * Asks libvirt about a running guest, as virt-handler's guest info and
 * interface updates do: whether a QEMU guest agent is on the channel (the
 * domain XML says), its OS info when it is, and each interface's address
 * from the guest agent, libvirt's DHCP leases or the host's ARP table. A
 * question libvirt cannot answer means "not known", never an error.
 */
import { parseDomIfAddr, parseOsInfo } from "./guest-info.ts";
import type { DomainRecord } from "./libvirt-record.ts";
import type { Virsh } from "./virsh.ts";

/** Updates `record`'s guest agent, OS info and interface addresses. */
export async function readGuest(virsh: Virsh, record: DomainRecord): Promise<void> {
  record.guestReadAt = Date.now();
  const xml = await virsh.run(["dumpxml", record.domain]);
  // libvirt knows whether a guest agent is on the channel; only then is it worth asking.
  const connected = /name=["']org\.qemu\.guest_agent\.0["'][^>]*state=["']connected["']/.test(xml);
  const info = connected
    ? await virsh.run(["qemu-agent-command", record.domain, '{"execute":"guest-get-osinfo"}', "--timeout", "2"], 5000).then(parseOsInfo, () => undefined)
    : undefined;
  record.guestAgentConnected = info !== undefined;
  if (info) record.guestOSInfo = info;
  if (record.interfaces.every((i) => i.ipAddress)) return;
  for (const source of info ? ["agent", "lease", "arp"] : ["lease", "arp"]) {
    const addrs = await virsh.run(["domifaddr", record.domain, "--source", source], 5000).then(parseDomIfAddr, () => new Map<string, string>());
    for (const i of record.interfaces) {
      const ip = addrs.get(i.mac.toLowerCase());
      if (ip && !i.ipAddress) i.ipAddress = ip;
    }
    if (record.interfaces.every((i) => i.ipAddress)) return;
  }
}
