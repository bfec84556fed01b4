/**
 * @module
 * The VM flavour of `RuntimeAdapter` (VMIs): what a hypervisor is given and
 * what it reports — the domain's interfaces and the guest agent's OS info,
 * as virt-handler gathers them.
 */
import type { RuntimeAdapter } from "./adapter.ts";
import type { VMMigration } from "./vm-migration.ts";

/** A VMI as the hypervisor sees it. */
export interface VMRuntimeSpec {
  cpuCores: number;
  /** Guest memory, e.g. 128Mi. */
  memory?: string;
  /** Interface names, `default` when the VMI names none. */
  interfaces: string[];
}

/** `VirtualMachineInstanceGuestOSInfo`, as the guest agent reports it. */
export interface GuestOSInfo {
  id: string;
  name: string;
  prettyName: string;
  version: string;
  versionId: string;
  kernelRelease: string;
  kernelVersion: string;
  machine: string;
}

/** One domain interface. */
export interface VMInterface {
  name: string;
  mac: string;
  ipAddress?: string;
  interfaceName?: string;
}

/** What the hypervisor reports for a VMI. */
export interface VMDetail {
  interfaces: VMInterface[];
  /** Known once the guest agent connected. */
  guestOSInfo?: GuestOSInfo;
  guestAgentConnected: boolean;
}

/** A runtime for VMs (libvirt/QEMU, or the simulated one); `migration` when it can live-migrate (vm-migration.ts). */
export type VirtRuntime = RuntimeAdapter<VMRuntimeSpec, VMDetail> & { readonly migration?: VMMigration };
