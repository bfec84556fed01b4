/**
 * @module
 * The simulated hypervisor with live migration (vm-migration.ts): the
 * target "prepares" a domain (known only to the migration until it
 * receives), the source "sends" for `migrationDurationMs`, and the target's
 * domain then runs with the source's IP and the same MAC (the guest keeps its
 * address, as with a bridge on a shared L2 network). The source's domain is
 * left running (paused, in a real hypervisor) until its host loop lets it go
 * after the handover; its IP is not returned to this host's pool then, since
 * the guest took it along.
 *
 * Failure injection: `sim.duraplane.io/fail-migration: "true"` makes the
 * source's transfer fail half-way; `sim.duraplane.io/fail-migration-target:
 * "true"` makes the target refuse to prepare.
 */
import type { Workload } from "./adapter.ts";
import type { AddressPool } from "./addresses.ts";
import type { SimRecord, SimulationOptions } from "./simulated.ts";
import { SimulatedConsoleVirtRuntime } from "./simulated-vm-streams.ts";
import { MIGRATION_ABORTED, type VMMigration } from "./vm-migration.ts";
import type { VMDetail, VMRuntimeSpec } from "./vms.ts";
import { formatTime } from "../../shared/k8s/time.ts";

/** The annotations the simulated migration reads. */
export const SIM_MIGRATION_ANNOTATIONS = {
  failMigration: "sim.duraplane.io/fail-migration",
  failMigrationTarget: "sim.duraplane.io/fail-migration-target",
} as const;

/** The port a simulated target "listens" on (virt-handler's migration proxy uses ports from 49152). */
const SIM_MIGRATION_PORT = 49152;

interface Incoming {
  workload: Workload<VMRuntimeSpec>;
  ip?: string;
}

interface Outgoing {
  timer: NodeJS.Timeout;
  reject(err: Error): void;
}

/** A simulated hypervisor that serves consoles (simulated-vm-streams.ts) and can live-migrate. */
export class SimulatedVirtRuntime extends SimulatedConsoleVirtRuntime implements VMMigration {
  private readonly incoming = new Map<string, Incoming>();
  private readonly outgoing = new Map<string, Outgoing>();
  /** Domains whose guest (and IP) moved to another host. */
  private readonly migratedOut = new Set<string>();

  constructor(options: SimulationOptions, addresses: AddressPool, private readonly hostIP: string, private readonly migrationDurationMs: number) {
    super(options, addresses);
  }

  /** This runtime's migration capability (itself). */
  get migration(): VMMigration {
    return this;
  }

  async prepareIncoming(workload: Workload<VMRuntimeSpec>, ip: string | undefined): Promise<string> {
    if (workload.annotations[SIM_MIGRATION_ANNOTATIONS.failMigrationTarget] === "true") {
      throw new Error("simulated target failure: could not prepare the incoming domain");
    }
    this.incoming.set(workload.uid, { workload, ip });
    return `${this.hostIP}:${SIM_MIGRATION_PORT}`;
  }

  async finishIncoming(uid: string): Promise<void> {
    const incoming = this.incoming.get(uid);
    if (!incoming) {
      if (this.records.has(uid)) return; // already running here
      throw new Error(`no incoming migration of ${uid} was prepared on this host`);
    }
    this.incoming.delete(uid);
    const record: SimRecord<VMRuntimeSpec> = {
      workload: incoming.workload, attempt: 0, state: { phase: "running", startedAt: formatTime(Date.now()) },
      ip: incoming.ip, mac: "", timers: new Set(),
    };
    this.records.set(uid, record);
    this.emit(record);
  }

  async abortIncoming(uid: string): Promise<void> {
    this.incoming.delete(uid);
  }

  migrateOut(uid: string, _targetAddress: string): Promise<void> {
    const record = this.records.get(uid);
    if (!record || record.state.phase !== "running") return Promise.reject(new Error("the domain is not running on this host"));
    if (this.outgoing.has(uid)) return Promise.reject(new Error("a migration of this domain is already under way"));
    const fail = record.workload.annotations[SIM_MIGRATION_ANNOTATIONS.failMigration] === "true";
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.outgoing.delete(uid);
        if (fail) {
          reject(new Error("simulated migration failure: connection reset by peer"));
          return;
        }
        this.migratedOut.add(uid);
        resolve();
      }, fail ? Math.floor(this.migrationDurationMs / 2) : this.migrationDurationMs);
      this.outgoing.set(uid, { timer, reject });
    });
  }

  abortMigration(uid: string): void {
    const out = this.outgoing.get(uid);
    if (!out) return;
    clearTimeout(out.timer);
    this.outgoing.delete(uid);
    out.reject(new Error(MIGRATION_ABORTED));
  }

  override async remove(uid: string): Promise<void> {
    const record = this.records.get(uid);
    // The guest took its IP along: it is not this host's to hand out again.
    if (record && this.migratedOut.delete(uid)) record.ip = undefined;
    await super.remove(uid);
  }

  override async close(): Promise<void> {
    for (const out of this.outgoing.values()) clearTimeout(out.timer);
    this.outgoing.clear();
    this.incoming.clear();
    await super.close();
  }
}
