/**
 * @module
 * `run --vm-runtime`: the simulated hypervisor, or libvirt/QEMU with its
 * kernelBoot and containerDisk images from containerd's store, as
 * virt-launcher reads them from the node's images (or from a directory store,
 * `--image-dir`, on a host without containerd). A host without libvirt gets a
 * usage error that names the package to install, not a stack trace.
 */
import { existsSync, statSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import type { Logger } from "../log.ts";
import type { ImageStore } from "../runtime/images.ts";
import type { HostNetwork } from "../runtime/domain-xml.ts";
import { LibvirtVirtRuntime } from "../runtime/libvirt-vms.ts";
import { Virsh, VirshError } from "../runtime/virsh.ts";
import type { VirtRuntime } from "../runtime/vms.ts";
import { UsageError } from "./flags.ts";

/** The VM runtimes `run` knows. */
export const VM_RUNTIMES = ["simulated", "libvirt"] as const;

/** Settings of the libvirt runtime. */
export interface LibvirtFlags {
  uri: string;
  /** Opened once libvirt itself is known to be usable, so its errors come first. */
  images: () => Promise<ImageStore>;
  runDir: string;
  /** A host bridge for VM interfaces; user-mode networking otherwise. */
  bridge?: string;
  /** This agent's Node: its domains are named after it, so agents of several nodes can share one libvirtd. */
  nodeName: string;
  log: Logger;
  /** `host:port` of this host's libvirtd as other hosts reach it over TCP, for live migration. */
  migrationAddress?: string;
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, program)));
}

/** The first directory on the way to `dir` that other users (QEMU's) cannot traverse. */
export function untraversable(dir: string): string | undefined {
  let at = resolve(dir);
  while (!existsSync(at)) at = dirname(at);
  for (;;) {
    if ((statSync(at).mode & 0o001) === 0) return at;
    const up = dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}

/** The name prefix of a node's domains: `duraplane-<node>_`. */
export function domainPrefixFor(nodeName: string): string {
  return `duraplane-${nodeName}_`;
}

/** Opens the libvirt runtime, or explains what the host lacks. */
export async function openLibvirt(flags: LibvirtFlags): Promise<VirtRuntime> {
  if (!onPath("virsh")) throw new UsageError("--vm-runtime libvirt: virsh is not installed (apt-get install libvirt-clients)");
  if (flags.uri.startsWith("qemu:") && !onPath("qemu-system-x86_64")) {
    throw new UsageError("--vm-runtime libvirt: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)");
  }
  const closed = untraversable(flags.runDir);
  if (closed !== undefined) {
    throw new UsageError(`--vm-run-dir ${flags.runDir}: QEMU runs as its own user and cannot pass ${closed} (not searchable by others); choose a directory such as /var/lib/duraplane/vms`);
  }
  const virsh = new Virsh({ uri: flags.uri });
  try {
    await virsh.run(["version"], 15_000);
  } catch (err) {
    const why = err instanceof VirshError ? err.stderr.trim() : String(err);
    throw new UsageError(`--vm-runtime libvirt: cannot reach libvirt at ${flags.uri} (${why}); install libvirt-daemon-system and start it (virtlogd -d; libvirtd -d, as root), or pass --libvirt-uri`);
  }
  const network: HostNetwork = flags.bridge ? { mode: "bridge", bridge: flags.bridge } : { mode: "user" };
  // Node names are DNS subdomains (no "_"), so no node's prefix is a prefix of another's.
  return LibvirtVirtRuntime.open({ uri: flags.uri, domainPrefix: domainPrefixFor(flags.nodeName), images: await flags.images(), runDir: flags.runDir, network, log: flags.log, virsh,
    ...(flags.migrationAddress ? { migrationAddress: flags.migrationAddress } : {}),
  });
}
