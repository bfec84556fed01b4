/**
 * @module
 * How a restarted agent recognises its domains: by name prefix, then by the
 * VMI identity our domain XML put in `<metadata>` (namespace
 * `METADATA_NS`); a domain without it is not ours and is left alone.
 */
import { METADATA_NS } from "./domain-xml.ts";
import { attributesOf, interfacesOf } from "./guest-info.ts";
import { type Virsh, VirshError } from "./virsh.ts";
import type { VMInterface } from "./vms.ts";

/** A domain an earlier agent made. */
export interface FoundDomain {
  uid: string;
  namespace?: string;
  name?: string;
  interfaces: VMInterface[];
}

/** Every domain, defined or running, whose name starts with `prefix`. */
export async function domainsWithPrefix(virsh: Virsh, prefix: string): Promise<string[]> {
  return (await virsh.run(["list", "--all", "--name"])).split("\n").map((n) => n.trim()).filter((n) => n.startsWith(prefix));
}

/** The VMI a domain belongs to, from its metadata; undefined when it is not ours or is gone. */
export async function readDomainIdentity(virsh: Virsh, domain: string): Promise<FoundDomain | undefined> {
  try {
    const meta = attributesOf(await virsh.run(["metadata", domain, "--uri", METADATA_NS]), "vmi");
    if (!meta?.uid) return undefined;
    const xml = await virsh.run(["dumpxml", domain]);
    return { uid: meta.uid, ...(meta.namespace ? { namespace: meta.namespace } : {}), ...(meta.name ? { name: meta.name } : {}), interfaces: interfacesOf(xml) };
  } catch (err) {
    if (err instanceof VirshError) return undefined; // no metadata of ours, or gone meanwhile
    throw err;
  }
}
