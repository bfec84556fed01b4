/**
 * @module
 * The VM runtime over libvirt/QEMU, as virt-handler and virt-launcher drive
 * it: a VMI becomes a persistent domain (define + start), a graceful stop is
 * an ACPI shutdown destroyed when the grace period runs out, pause/unpause
 * are suspend/resume, and removal undefines the domain and deletes the VMI's
 * files. State is observed, never assumed: libvirt's event stream triggers a
 * re-read of `domstate --reason`, and a periodic resync re-reads every domain
 * (and finds domains started by an earlier agent, by the VMI identity in
 * their `<metadata>`). All calls go through `virsh` (see virsh.ts).
 */
import type { Duplex } from "node:stream";
import { libvirtConsole, libvirtVnc, type LibvirtStreamSource } from "./libvirt-streams.ts";
import { libvirtGuest } from "./libvirt-guest.ts";
import type { GuestQuery } from "../../shared/tunnel/frames.ts";
import type { VMStreams, WorkloadRef } from "./streams.ts";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Observation, RunState, Workload } from "./adapter.ts";
import { macFor } from "./addresses.ts";
import { type DomainEvent, DomainEventStream } from "./domain-events.ts";
import { type DomainState, exitOf, isActive, isPaused, parseDomState } from "./domain-state.ts";
import { domainXml, type HostNetwork } from "./domain-xml.ts";
import { kvmUsable } from "./kvm.ts";
import { domainsWithPrefix, readDomainIdentity } from "./domain-adoption.ts";
import { readGuest } from "./guest-read.ts";
import {
  delay, DESTROY_SETTLE_MS, type DomainRecord, domainNameFor, GUEST_READ_EVERY_MS, newRecord, now, observationOf, startedAtOf,
} from "./libvirt-record.ts";
import type { ImageStore } from "./images.ts";
import { Virsh, VirshError } from "./virsh.ts";
import { LibvirtMigration, type LibvirtMigrationHost } from "./libvirt-migration.ts";
import type { VMMigration } from "./vm-migration.ts";
import { vmiDomainSpec } from "./vmi-domain-spec.ts";
import { prepareFiles } from "./vm-volumes.ts";
import type { VirtRuntime, VMDetail, VMInterface, VMRuntimeSpec } from "./vms.ts";
import { errorMessage, type Logger } from "../log.ts";
import { DOMSTATS_ARGS, domainCounters, parseDomstats } from "./domstats.ts";
import type { UsageSample } from "./usage.ts";

/** How the adapter reaches libvirt and where it keeps VMI files. */
export interface LibvirtOptions {
  /** e.g. `qemu:///system`. */
  uri: string;
  images: ImageStore;
  /** Per-VMI files go to `<runDir>/<uid>/`; QEMU's user must be able to traverse it. */
  runDir: string;
  /** User-mode networking unless a bridge is named. */
  network?: HostNetwork;
  /** Domain names start with this (default `duraplane-`); only such domains are read. */
  domainPrefix?: string;
  /** KVM when the host can run a guest under it (kvm.ts), else TCG; tests may force it. */
  kvm?: boolean;
  /** Every domain is re-read this often (default 10 s). */
  resyncIntervalMs?: number;
  log?: Logger;
  virsh?: Virsh;
  /** `host:port` where peers reach this host's libvirtd over TCP: live migration (libvirt-migration.ts) when set. */
  migrationAddress?: string;
}

/** VMIs as libvirt domains. */
export class LibvirtVirtRuntime implements VirtRuntime, VMStreams {
  private readonly records = new Map<string, DomainRecord>();
  private readonly byDomain = new Map<string, string>();
  /** Each started VMI's namespace and name, for its usage samples. */
  private readonly names = new Map<string, { namespace: string; name: string }>();
  /** Domains being undefined: a resync must not adopt them again meanwhile. */
  private readonly removing = new Set<string>();
  /** Domains arriving by live migration: not adopted until the migration hands them over. */
  private readonly incoming = new Set<string>();
  /** Live migration, when this host has an address for it. */
  readonly migration?: VMMigration;
  private readonly listeners = new Set<(o: Observation<VMDetail>) => void>();
  private readonly virsh: Virsh;
  private readonly prefix: string;
  private readonly type: "kvm" | "qemu";
  private events?: DomainEventStream;
  private resyncTimer?: NodeJS.Timeout;
  private closed = false;

  private constructor(private readonly options: LibvirtOptions, readonly runtimeVersion: string, virsh: Virsh) {
    this.virsh = virsh;
    this.prefix = options.domainPrefix ?? "duraplane-";
    this.type = (options.kvm ?? kvmUsable()) ? "kvm" : "qemu";
    if (options.migrationAddress) this.migration = new LibvirtMigration(this.migrationHost(options.migrationAddress));
  }

  /** Connects, adopts the domains an earlier agent left, and follows libvirt's events. */
  static async open(options: LibvirtOptions): Promise<LibvirtVirtRuntime> {
    const virsh = options.virsh ?? new Virsh({ uri: options.uri });
    const version = /Using library: libvirt (\S+)/.exec(await virsh.run(["version"]))?.[1] ?? "unknown";
    await mkdir(options.runDir, { recursive: true });
    await chmod(options.runDir, 0o755);
    const runtime = new LibvirtVirtRuntime(options, `libvirt://${version}`, virsh);
    runtime.events = new DomainEventStream(virsh, (e) => runtime.onEvent(e), (why) => {
      options.log?.warn("libvirt event stream restarted", { why });
      runtime.resync();
    });
    runtime.events.start();
    await runtime.adopt();
    runtime.scheduleResync();
    return runtime;
  }

  /** The serial console's log file of a VMI (the guest's console output). */
  serialLogPath(uid: string): string {
    return join(this.options.runDir, uid, "serial.log");
  }

  /** The serial console (libvirt-streams.ts). */
  console(vmi: WorkloadRef): Promise<Duplex> {
    return libvirtConsole(this.streamSource(), vmi);
  }

  /** VNC (libvirt-streams.ts). */
  vnc(vmi: WorkloadRef): Promise<Duplex> {
    return libvirtVnc(this.streamSource(), vmi);
  }

  /** The guest agent's documents (libvirt-guest.ts). */
  guest(vmi: WorkloadRef, query: GuestQuery): Promise<Record<string, unknown>> {
    return libvirtGuest(this.streamSource(), vmi, query);
  }

  private streamSource(): LibvirtStreamSource {
    return {
      virsh: this.virsh, domainOf: (uid) => this.domainOf(uid), running: (uid) => this.records.get(uid)?.state.phase === "running",
      guestAgentConnected: (uid) => this.records.get(uid)?.guestAgentConnected === true,
    };
  }

  /** The libvirt domain of a VMI, if known. */
  domainOf(uid: string): string | undefined {
    return this.records.get(uid)?.domain;
  }

  /** The event child's pid (tests kill it to prove it comes back). */
  get eventStreamPid(): number | undefined {
    return this.events?.pid;
  }

  async start(workload: Workload<VMRuntimeSpec>): Promise<void> {
    this.names.set(workload.uid, { namespace: workload.namespace, name: workload.name });
    let record = this.records.get(workload.uid);
    if (record && record.state.phase !== "exited") return;
    if (record) {
      record.attempt++;
      record.lastExit = record.state.phase === "exited" ? record.state : undefined;
    } else {
      const domain = domainNameFor(this.prefix, workload);
      record = newRecord(workload.uid, domain, join(this.options.runDir, workload.uid));
      this.records.set(workload.uid, record);
      this.byDomain.set(domain, workload.uid);
    }
    Object.assign(record, { state: { phase: "creating", since: now() }, paused: false, starting: true, stopRequested: false, destroyedByUs: false, guestAgentConnected: false });
    this.emit(record);
    try {
      const prepared = await this.writeDomainXml(workload, record.domain, record.dir);
      record.interfaces = prepared.interfaces;
      await this.virsh.run(["define", prepared.file]);
      await this.virsh.run(["start", record.domain], 120_000);
    } catch (err) {
      record.starting = false;
      this.setExited(record, { exitCode: 1, reason: "BootFailed", message: errorMessage(err) }, undefined);
      this.options.log?.warn("vmi failed to start", { uid: workload.uid, domain: record.domain, error: errorMessage(err) });
      return;
    }
    record.starting = false;
    await this.refresh(record);
  }

  /** Prepares a VMI's files in `dir` and writes the domain XML that runs it here (defines nothing). */
  private async writeDomainXml(workload: Workload<VMRuntimeSpec>, domain: string, dir: string): Promise<{ file: string; interfaces: VMInterface[] }> {
    const spec = vmiDomainSpec(workload.rawSpec);
    const files = await prepareFiles(spec, workload, dir, this.options.images);
    const macs = Object.fromEntries(spec.interfaces.map((i) => [i.name, i.macAddress ?? macFor(workload.uid, i.name)]));
    const xml = domainXml(spec, {
      domainName: domain, vmi: { uid: workload.uid, namespace: workload.namespace, name: workload.name },
      type: this.type, serialLog: join(dir, "serial.log"), network: this.options.network ?? { mode: "user" },
      ...(files.kernel ? { kernel: files.kernel } : {}), disks: files.disks, macs,
    });
    const file = join(dir, "domain.xml");
    await writeFile(file, xml);
    return { file, interfaces: spec.interfaces.map((i) => ({ name: i.name, mac: macs[i.name] ?? "" })) };
  }

  /** What live migration (libvirt-migration.ts) may do with this adapter's domains. */
  private migrationHost(address: string): LibvirtMigrationHost {
    return {
      virsh: this.virsh, address, ...(this.options.log ? { log: this.options.log } : {}),
      placement: (w) => ({ domain: domainNameFor(this.prefix, w), dir: join(this.options.runDir, w.uid) }),
      writeDomainXml: async (w, domain, dir) => (await this.writeDomainXml(w, domain, dir)).file,
      hold: (domain, held) => void (held ? this.incoming.add(domain) : this.incoming.delete(domain)),
      adopt: async (domain, ip) => {
        // A resync may be adopting it at the same moment: wait for whichever wins.
        let record: DomainRecord | undefined;
        for (let i = 0; i < 25 && !record; i++) {
          if (i > 0) await delay(200);
          await this.adoptOne(domain);
          record = [...this.records.values()].find((r) => r.domain === domain);
        }
        if (!record) throw new Error(`the migrated domain ${domain} could not be adopted`);
        const first = record.interfaces[0];
        // The guest took its address along (a bridged guest keeps it; under user-mode networking only the guest knows it).
        if (ip && first && !first.ipAddress) {
          first.ipAddress = ip;
          this.emit(record);
        }
      },
      has: (uid) => this.records.has(uid),
      running: (uid) => {
        const r = this.records.get(uid);
        return r?.state.phase === "running" ? { domain: r.domain, dir: r.dir } : undefined;
      },
      setMigrating: (uid, migrating) => {
        const r = this.records.get(uid);
        if (!r) return;
        r.migrating = migrating;
        if (!migrating) void this.refresh(r);
      },
    };
  }

  async stop(uid: string, gracePeriodSeconds: number): Promise<void> {
    const record = this.records.get(uid);
    if (!record || record.state.phase === "exited") return;
    record.stopRequested = true;
    if (record.migrating === "sent") {
      // The guest runs on another host now; here there is nothing left to stop.
      this.setExited(record, { exitCode: 0, reason: "Migrated", message: "the guest was live-migrated to another host" }, startedAtOf(record.state));
      return;
    }
    const ended = new Promise<void>((resolve) => record.exitWaiters.push(resolve));
    const graceMs = Math.max(0, gracePeriodSeconds) * 1000;
    let pressed = false;
    if (graceMs > 0) {
      try {
        // A paused guest cannot see the power button.
        if (record.paused) await this.virsh.run(["resume", record.domain]);
        await this.virsh.run(["shutdown", record.domain, "--mode", "acpi"]);
        pressed = true;
      } catch (err) {
        this.options.log?.warn("acpi shutdown failed, destroying", { domain: record.domain, error: errorMessage(err) });
      }
    }
    if (pressed) {
      // Events end the wait; a poll each second covers a lost event.
      const poll = setInterval(() => void this.refresh(record), 1000);
      const timeout = delay(graceMs).then(() => "timeout" as const);
      const result = await Promise.race([ended.then(() => "ended" as const), timeout]);
      clearInterval(poll);
      if (result === "ended") return;
    }
    record.destroyedByUs = true;
    await this.virsh.run(["destroy", record.domain]).catch((err: unknown) => {
      // Not running any more: it ended on its own, and how is what libvirt says.
      record.destroyedByUs = false;
      if (!(err instanceof VirshError && (err.noDomain || /not running/i.test(err.stderr)))) throw err;
    });
    await this.refresh(record);
    // destroy returned, so QEMU is gone; should reading its state keep failing, do not wait forever.
    if (await Promise.race([ended.then(() => true), delay(DESTROY_SETTLE_MS).then(() => false)])) return;
    if ((record.state as RunState).phase !== "exited") this.setExited(record, exitOf({ state: "shut off", reason: "destroyed" }, true), startedAtOf(record.state));
  }

  async pause(uid: string): Promise<void> {
    const record = this.records.get(uid);
    if (!record || record.state.phase !== "running" || record.paused) return;
    await this.virsh.run(["suspend", record.domain]);
    await this.refresh(record);
  }

  async unpause(uid: string): Promise<void> {
    const record = this.records.get(uid);
    if (!record || record.state.phase !== "running" || !record.paused) return;
    await this.virsh.run(["resume", record.domain]);
    await this.refresh(record);
  }

  async remove(uid: string): Promise<void> {
    const record = this.records.get(uid);
    if (!record) return;
    this.records.delete(uid);
    this.byDomain.delete(record.domain);
    this.names.delete(uid);
    this.removing.add(record.domain);
    try {
      for (const args of [["destroy", record.domain], ["undefine", record.domain, "--nvram"]]) {
        await this.virsh.run(args).catch((err: unknown) => {
          if (!(err instanceof VirshError && (err.noDomain || /not running/i.test(err.stderr)))) throw err;
        });
      }
    } finally {
      this.removing.delete(record.domain);
    }
    await rm(record.dir, { recursive: true, force: true });
    for (const wake of record.exitWaiters.splice(0)) wake();
  }

  observe(uid: string): Observation<VMDetail> | undefined {
    const record = this.records.get(uid);
    return record && observationOf(record);
  }

  list(): Observation<VMDetail>[] {
    return [...this.records.values()].map((r) => observationOf(r));
  }

  /** Every running domain's CPU time and memory from one `virsh domstats` (domstats.ts). */
  async usage(): Promise<UsageSample[]> {
    const stats = parseDomstats(await this.virsh.run([...DOMSTATS_ARGS], 10_000));
    const timeMs = Date.now();
    const out: UsageSample[] = [];
    for (const [domain, fields] of stats) {
      const uid = this.byDomain.get(domain);
      const names = uid === undefined ? undefined : this.names.get(uid);
      const counters = domainCounters(fields);
      if (uid === undefined || !names || !counters || this.records.get(uid)?.migrating) continue;
      out.push({ uid, ...names, timeMs, containers: [{ name: "compute", ...counters }] });
    }
    return out;
  }

  subscribe(listener: (o: Observation<VMDetail>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops following libvirt; domains keep running, as the kubelet leaves its containers. */
  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    clearTimeout(this.resyncTimer);
    this.events?.close();
    await Promise.allSettled([...this.records.values()].map((r) => r.refreshing));
  }

  private emit(record: DomainRecord): void {
    if (this.closed) return;
    const o = observationOf(record);
    for (const listener of this.listeners) listener(o);
  }

  private setExited(record: DomainRecord, exit: { exitCode: number; reason: string; message?: string }, startedAt: string | undefined): void {
    record.state = {
      phase: "exited", exitCode: exit.exitCode, reason: exit.reason, ...(exit.message ? { message: exit.message } : {}),
      ...(startedAt ? { startedAt } : {}), finishedAt: now(), requested: record.stopRequested,
    };
    record.paused = false;
    record.guestAgentConnected = false;
    this.emit(record);
    for (const wake of record.exitWaiters.splice(0)) wake();
  }

  private onEvent(event: DomainEvent): void {
    const uid = this.byDomain.get(event.domain);
    const record = uid ? this.records.get(uid) : undefined;
    if (record) void this.refresh(record, event.type === "agent-lifecycle");
    else if (event.domain.startsWith(this.prefix) && /Defined|Started/.test(event.detail)) void this.adoptOne(event.domain);
  }

  /** Re-reads one domain (coalesced: one read at a time, one more if asked meanwhile). */
  private refresh(record: DomainRecord, guest = false): Promise<void> {
    if (guest) record.guestReadAt = 0;
    if (record.refreshing) {
      record.refreshAgain = true;
      return record.refreshing;
    }
    record.refreshing = (async () => {
      do {
        record.refreshAgain = false;
        try {
          await this.read(record, record.guestReadAt === 0);
        } catch (err) {
          this.options.log?.warn("reading domain failed", { domain: record.domain, error: errorMessage(err) });
        }
      } while (record.refreshAgain && !this.closed);
    })().finally(() => {
      record.refreshing = undefined;
    });
    return record.refreshing;
  }

  private async domState(domain: string): Promise<DomainState | undefined> {
    try {
      return parseDomState(await this.virsh.run(["domstate", domain, "--reason"]));
    } catch (err) {
      if (err instanceof VirshError && err.noDomain) return undefined;
      throw err;
    }
  }

  private async read(record: DomainRecord, force: boolean): Promise<void> {
    // A domain migrating away keeps its last state until the handover lets it go.
    if (this.records.get(record.uid) !== record || record.migrating) return;
    const s = await this.domState(record.domain);
    const before = JSON.stringify(observationOf(record));
    if (!s) {
      if (record.state.phase !== "exited" && !record.starting) {
        this.setExited(record, { exitCode: 1, reason: "Crashed", message: "the domain vanished from libvirt" }, startedAtOf(record.state));
      }
      return;
    }
    if (isActive(s)) {
      if (record.state.phase !== "running") record.state = { phase: "running", startedAt: now() };
      record.paused = isPaused(s);
      if (!record.paused && (force || Date.now() - record.guestReadAt >= GUEST_READ_EVERY_MS)) await readGuest(this.virsh, record);
    } else if (record.state.phase !== "exited" && !record.starting) {
      this.setExited(record, exitOf(s, record.destroyedByUs), startedAtOf(record.state));
      return;
    }
    if (JSON.stringify(observationOf(record)) !== before) this.emit(record);
  }

  /** Finds our domains (by prefix and metadata) that this process does not know yet. */
  private async adopt(): Promise<void> {
    for (const name of await domainsWithPrefix(this.virsh, this.prefix)) if (!this.byDomain.has(name)) await this.adoptOne(name);
  }

  private async adoptOne(domain: string): Promise<void> {
    if (this.byDomain.has(domain) || this.removing.has(domain) || this.incoming.has(domain) || this.closed) return;
    const found = await readDomainIdentity(this.virsh, domain);
    if (!found || this.records.has(found.uid) || this.byDomain.has(domain) || this.removing.has(domain)) return;
    const record = newRecord(found.uid, domain, join(this.options.runDir, found.uid), found.interfaces);
    this.records.set(found.uid, record);
    this.byDomain.set(domain, found.uid);
    const s = await this.domState(domain);
    if (s && !isActive(s)) {
      // Found already ended: how it ended is what libvirt says now.
      this.setExited(record, exitOf(s, false), undefined);
      return;
    }
    this.options.log?.info("adopted vmi domain", { uid: found.uid, domain, namespace: found.namespace, name: found.name });
    await this.refresh(record);
  }

  /** Re-reads every domain and adopts new ones; then again after the interval. */
  private resync(): void {
    if (this.closed) return;
    void (async () => {
      try {
        await this.adopt();
        await Promise.all([...this.records.values()].map((r) => this.refresh(r)));
      } catch (err) {
        this.options.log?.warn("libvirt resync failed", { error: errorMessage(err) });
      }
    })();
  }

  private scheduleResync(): void {
    if (this.closed) return;
    this.resyncTimer = setTimeout(() => {
      this.resync();
      this.scheduleResync();
    }, this.options.resyncIntervalMs ?? 10_000);
    this.resyncTimer.unref();
  }
}

