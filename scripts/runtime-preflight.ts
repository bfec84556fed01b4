/**
 * @module
 * Before `npm start -- --runtime real` starts hosts with the real adapters:
 * is everything they drive here? Each missing piece is named with the Debian
 * package that provides it, or the daemon to start, so the message says what
 * to do rather than failing later inside an agent's log.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/** One thing the real runtimes need. */
interface Requirement {
  what: string;
  present: () => boolean;
  /** What to do when it is missing. */
  fix: string;
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const INSTALL = "apt-get install -y";
const START = "start the daemons with `sudo scripts/runtimes-up.sh` (no systemd needed)";

/** The socket paths of the daemons, as the agents' defaults expect them. */
export const LIBVIRT_SOCKET = "/run/libvirt/libvirt-sock";
export const CONTAINERD_SOCKET = "/run/containerd/containerd.sock";

const REQUIREMENTS: readonly Requirement[] = [
  { what: "qemu-system-x86_64", present: () => onPath("qemu-system-x86_64"), fix: `${INSTALL} qemu-system-x86` },
  { what: "virsh", present: () => onPath("virsh"), fix: `${INSTALL} libvirt-clients` },
  { what: "libvirtd", present: () => onPath("libvirtd"), fix: `${INSTALL} libvirt-daemon-system` },
  { what: "containerd", present: () => onPath("containerd"), fix: `${INSTALL} containerd` },
  { what: "ctr", present: () => onPath("ctr"), fix: `${INSTALL} containerd` },
  { what: "runc", present: () => onPath("runc"), fix: `${INSTALL} runc` },
  { what: `libvirtd running (${LIBVIRT_SOCKET})`, present: () => existsSync(LIBVIRT_SOCKET), fix: START },
  { what: `containerd running (${CONTAINERD_SOCKET})`, present: () => existsSync(CONTAINERD_SOCKET), fix: START },
];

/** What is missing, one line each with its fix; empty when the real runtimes can run. */
export function missingForRealRuntimes(): string[] {
  return REQUIREMENTS.filter((r) => !r.present()).map((r) => `${r.what}: missing — ${r.fix}`);
}
