/**
 * @module
 * The simulated hypervisor with streams: a running VM's serial console (a
 * login prompt that echoes) and its VNC server (RFB 3.8, a fixed
 * framebuffer). Sessions end when the VM stops.
 */
import type { Duplex } from "node:stream";
import type { AddressPool } from "./addresses.ts";
import { simulatedConsole } from "./sim-console.ts";
import { simulatedVnc } from "./sim-vnc.ts";
import { SimulatedRuntime, type SimulationOptions } from "./simulated.ts";
import { SIMULATED_GUEST, vmFlavour } from "./simulated-vms.ts";
import { guestAgentAbsent, guestDocument } from "./guest-agent.ts";
import type { GuestQuery } from "../../shared/tunnel/frames.ts";
import { badStream, notHere, type VMStreams, type WorkloadRef } from "./streams.ts";
import type { VMDetail, VMRuntimeSpec } from "./vms.ts";

/** A simulated hypervisor that also serves consoles. */
export class SimulatedConsoleVirtRuntime extends SimulatedRuntime<VMRuntimeSpec, VMDetail> implements VMStreams {
  private readonly sessions = new Map<string, Set<Duplex>>();

  constructor(options: SimulationOptions, addresses: AddressPool) {
    super(vmFlavour, options, addresses);
    this.subscribe((o) => {
      if (o.state.phase === "running") return;
      for (const s of this.sessions.get(o.uid) ?? []) s.push(null);
      this.sessions.delete(o.uid);
    });
  }

  async console(vmi: WorkloadRef): Promise<Duplex> {
    return this.session(vmi, simulatedConsole(vmi.name));
  }

  async vnc(vmi: WorkloadRef): Promise<Duplex> {
    return this.session(vmi, simulatedVnc(vmi.name));
  }

  /** The simulated guest runs an agent from boot: a Fedora cloud image with one user logged in on the console. */
  async guest(vmi: WorkloadRef, query: GuestQuery): Promise<Record<string, unknown>> {
    const o = this.observe(vmi.uid);
    if (!o) throw notHere(`VirtualMachineInstance "${vmi.namespace}/${vmi.name}"`);
    if (o.state.phase !== "running" || !o.detail.guestAgentConnected) throw guestAgentAbsent(vmi.name);
    const bootedAt = Date.parse(o.state.startedAt) / 1000;
    return guestDocument(query, {
      guestAgentVersion: "9.0.0",
      supportedCommands: ["guest-info", "guest-get-host-name", "guest-get-osinfo", "guest-get-timezone", "guest-get-users", "guest-get-fsinfo"]
        .map((name) => ({ name, enabled: true })),
      hostname: vmi.name,
      os: o.detail.guestOSInfo ?? SIMULATED_GUEST,
      timezone: "UTC, 0",
      users: [{ userName: "fedora", loginTime: bootedAt }],
      filesystems: [{ diskName: "vda4", mountPoint: "/", fileSystemType: "btrfs", usedBytes: 1_073_741_824, totalBytes: 5_368_709_120, disk: [{ busType: "virtio" }] }],
    });
  }

  private session(vmi: WorkloadRef, duplex: Duplex): Duplex {
    const o = this.observe(vmi.uid);
    if (!o) throw notHere(`VirtualMachineInstance "${vmi.namespace}/${vmi.name}"`);
    if (o.state.phase !== "running") throw badStream(`Unable to connect to VM because phase is not Running`);
    let set = this.sessions.get(vmi.uid);
    if (!set) this.sessions.set(vmi.uid, (set = new Set()));
    set.add(duplex);
    duplex.once("close", () => set.delete(duplex));
    return duplex;
  }
}
