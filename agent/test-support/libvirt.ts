/**
 * @module
 * Real-libvirt test plumbing: whether the daemons are there (a clear error
 * naming the package when not), and a sweep that destroys and undefines
 * every domain a test made, by name prefix.
 */
import { Virsh } from "../runtime/virsh.ts";

/** Fails with what to install or start when libvirt cannot be reached. */
export async function requireLibvirt(virsh: Virsh): Promise<void> {
  try {
    await virsh.run(["version"], 10_000);
  } catch (err) {
    throw new Error(`libvirt is not usable (${err instanceof Error ? err.message : String(err)}): apt-get install qemu-system-x86 libvirt-daemon-system libvirt-clients, then start virtlogd -d and libvirtd -d as root`);
  }
}

/** Destroys and undefines every domain whose name starts with `prefix`; returns their names. */
export async function sweepDomains(virsh: Virsh, prefix: string): Promise<string[]> {
  const names = (await virsh.run(["list", "--all", "--name"])).split("\n").map((n) => n.trim()).filter((n) => n.startsWith(prefix));
  for (const name of names) {
    await virsh.run(["destroy", name]).catch(() => undefined);
    await virsh.run(["undefine", name, "--nvram"]).catch(() => undefined);
  }
  return names;
}
