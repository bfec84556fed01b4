/**
 * @module
 * What libvirt and the QEMU guest agent say about a running guest, as
 * virt-handler gathers it: the domain's interfaces (our `ua-<name>` alias and
 * MAC from the domain XML), their addresses from `virsh domifaddr` (the
 * guest agent, else libvirt's DHCP leases, else the host's ARP table), and
 * `guest-get-osinfo` for `status.guestOSInfo`.
 */
import type { GuestOSInfo, VMInterface } from "./vms.ts";

const unescape = (s: string): string =>
  s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e] ?? "");

/** Attributes of the first `<tag …>` in `xml`. */
export function attributesOf(xml: string, tag: string): Record<string, string> | undefined {
  const m = new RegExp(`<(?:[\\w-]+:)?${tag}\\s([^>]*?)/?>`).exec(xml);
  if (!m) return undefined;
  const attrs: Record<string, string> = {};
  for (const a of (m[1] ?? "").matchAll(/([\w:-]+)=(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1] ?? ""] = unescape(a[2] ?? a[3] ?? "");
  return attrs;
}

/** The interfaces of a domain XML: name (from our alias), MAC, host-side device. */
export function interfacesOf(domainXml: string): VMInterface[] {
  const out: VMInterface[] = [];
  for (const m of domainXml.matchAll(/<interface\b[\s\S]*?<\/interface>/g)) {
    const block = m[0];
    const alias = attributesOf(block, "alias")?.name;
    const mac = attributesOf(block, "mac")?.address;
    if (!mac) continue;
    out.push({ name: alias?.startsWith("ua-") ? alias.slice(3) : alias ?? `net${out.length}`, mac });
  }
  return out;
}

/** `virsh domifaddr` rows: MAC → first IPv4 (else IPv6) address, without the prefix length. */
export function parseDomIfAddr(output: string): Map<string, string> {
  const byMac = new Map<string, { v4?: string; v6?: string }>();
  let lastMac = "";
  for (const line of output.split("\n")) {
    const cols = line.trim().split(/\s+/);
    // "vnet0  52:54:00:aa:bb:cc  ipv4  192.168.122.5/24", continuation rows start with "-".
    const row = cols.length === 4 && cols[1] === "-" ? [cols[0], lastMac, cols[2], cols[3]] : cols.length === 4 ? cols : undefined;
    if (!row || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(row[1] ?? "")) continue;
    lastMac = (row[1] ?? "").toLowerCase();
    const entry = byMac.get(lastMac) ?? {};
    const addr = (row[3] ?? "").split("/")[0] ?? "";
    if (row[2] === "ipv4") entry.v4 ??= addr;
    else if (row[2] === "ipv6") entry.v6 ??= addr;
    byMac.set(lastMac, entry);
  }
  const out = new Map<string, string>();
  for (const [mac, a] of byMac) {
    const ip = a.v4 ?? a.v6;
    if (ip) out.set(mac, ip);
  }
  return out;
}

/** `guest-get-osinfo`'s answer as `VirtualMachineInstanceGuestOSInfo` (undefined when it is not one). */
export function parseOsInfo(json: string): GuestOSInfo | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  const r = (parsed as { return?: Record<string, unknown> } | null)?.return;
  if (typeof r !== "object" || r === null) return undefined;
  const s = (k: string): string => (typeof r[k] === "string" ? (r[k] as string) : "");
  return {
    id: s("id"), name: s("name"), prettyName: s("pretty-name"), version: s("version"), versionId: s("version-id"),
    kernelRelease: s("kernel-release"), kernelVersion: s("kernel-version"), machine: s("machine"),
  };
}
