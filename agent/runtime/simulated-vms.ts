/**
 * @module
 * The VM flavour of the simulated runtime: a domain boots (or fails to),
 * its guest agent reports a Fedora guest, its first interface gets the IP;
 * a stop is an ACPI shutdown, destroyed when the grace period runs out.
 */
import { type AddressPool, macFor } from "./addresses.ts";
import { type Flavour, type SimRecord, type SimulationOptions } from "./simulated.ts";
// A cycle, harmless: each module uses the other's exports only when called.
import { SimulatedConsoleVirtRuntime } from "./simulated-vm-streams.ts";
import type { GuestOSInfo, VMDetail, VMRuntimeSpec } from "./vms.ts";
import { AGENT_VERSION } from "../version.ts";
import { vmDemand } from "./simulated-usage.ts";

/** The guest every simulated VM runs. */
export const SIMULATED_GUEST: GuestOSInfo = {
  id: "fedora",
  name: "Fedora Linux",
  prettyName: "Fedora Linux 41 (Cloud Edition)",
  version: "41 (Cloud Edition)",
  versionId: "41",
  kernelRelease: "6.11.4-301.fc41.x86_64",
  kernelVersion: "#1 SMP PREEMPT_DYNAMIC Sun Oct 20 15:02:33 UTC 2024",
  machine: "x86_64",
};

function vmDetail(record: SimRecord<VMRuntimeSpec>): VMDetail {
  const { workload, state, ip } = record;
  // The guest agent is up while the domain runs; addresses stay known after it stops.
  const running = state.phase === "running";
  return {
    interfaces: workload.spec.interfaces.map((name, i) => ({
      name, mac: macFor(workload.uid, name), interfaceName: `eth${i}`, ...(i === 0 && ip ? { ipAddress: ip } : {}),
    })),
    guestOSInfo: running ? SIMULATED_GUEST : undefined,
    guestAgentConnected: running,
  };
}

/** Flavour of the simulated hypervisor. */
export const vmFlavour: Flavour<VMRuntimeSpec, VMDetail> = {
  runtimeVersion: `simulated://${AGENT_VERSION}`,
  bootFailure: { exitCode: 1, reason: "BootFailed", message: "simulated boot failure: no bootable device" },
  crash: { exitCode: 1, reason: "Crashed" },
  completed: { exitCode: 0, reason: "Shutdown" },
  stopped: { exitCode: 0, reason: "Shutdown" },
  killed: { exitCode: 137, reason: "Destroyed", message: "destroyed after the termination grace period" },
  detail: vmDetail,
  demand: (record) => [vmDemand(record.workload.rawSpec, record.workload.spec.cpuCores, record.workload.spec.memory)],
};

/** A simulated hypervisor for VMIs, with consoles (simulated-vm-streams.ts); simulated-vm-migration.ts adds live migration. */
export function simulatedVirtRuntime(options: SimulationOptions, addresses: AddressPool): SimulatedConsoleVirtRuntime {
  return new SimulatedConsoleVirtRuntime(options, addresses);
}
