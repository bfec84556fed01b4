/**
 * @module
 * Live migration between two libvirt hosts (vm-migration.ts), peer to peer
 * as KubeVirt's virt-launcher does it (`virDomainMigrateToURI3` with
 * VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER): the source's libvirtd connects
 * to the target's over TCP and QEMU streams the guest's memory directly.
 *
 * - **target** (`prepareIncoming`): prepares the VMI's files in its own run
 *   directory and *defines* (does not start) the domain with this host's
 *   paths and name, then answers the address of its libvirtd
 *   (`host:port`). The domain is held out of the adapter's list until
 *   `finishIncoming`, which resumes it and adopts it as the running workload.
 * - **source** (`migrateOut`): reads that definition from the target's
 *   libvirtd (by the domain's UUID, which a migration keeps), renames it back
 *   to the source's name as libvirt requires of `--xml`, and runs
 *   `virsh migrate --live --p2p --suspend --dname <target name> --xml …`:
 *   the guest arrives paused on the target under the target's paths and name
 *   (KubeVirt likewise leaves the target paused until virt-handler takes it),
 *   and the source's domain ends `shut off (migrated)`. Writable disks (which
 *   live on each host's own files) go along with `--copy-storage-all`.
 *   `abortMigration` is `virsh domjobabort`; the guest keeps running here.
 *
 * The target's libvirtd must listen on TCP where the source can reach it
 * (`listen_tcp`, libvirtd `--listen`; see docs/live-migration.md for
 * authentication).
 */
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Workload } from "./adapter.ts";
import { errorMessage, type Logger } from "../log.ts";
import { delay } from "./libvirt-record.ts";
import { Virsh, VirshError } from "./virsh.ts";
import { MIGRATION_ABORTED, type VMMigration } from "./vm-migration.ts";
import type { VMRuntimeSpec } from "./vms.ts";

/** What the migration needs of the libvirt adapter (libvirt-vms.ts). */
export interface LibvirtMigrationHost {
  virsh: Virsh;
  log?: Logger;
  /** `host:port` of this host's libvirtd as peers reach it. */
  address: string;
  /** The name and directory a workload's domain gets on this host. */
  placement(workload: Workload<VMRuntimeSpec>): { domain: string; dir: string };
  /** Prepares the workload's files and writes its domain XML; the file's path. */
  writeDomainXml(workload: Workload<VMRuntimeSpec>, domain: string, dir: string): Promise<string>;
  /** Keeps a domain out of (or lets it into) the adapter's adoption. */
  hold(domain: string, held: boolean): void;
  /** Makes an arrived domain the running workload, with the IP the guest had. */
  adopt(domain: string, ip: string | undefined): Promise<void>;
  /** Whether the adapter runs `uid` here. */
  has(uid: string): boolean;
  /** The running domain of `uid` and its directory, if it runs. */
  running(uid: string): { domain: string; dir: string } | undefined;
  /** While set, the adapter reports the source domain unchanged (it ends `shut off (migrated)`); cleared on a failure. */
  setMigrating(uid: string, migrating: "sending" | "sent" | undefined): void;
}

interface Incoming {
  domain: string;
  dir: string;
  ip?: string;
}

interface Outgoing {
  domain: string;
  aborted: boolean;
}

/** A whole live migration under TCG takes seconds to minutes; past this it is given up. */
const MIGRATE_TIMEOUT_MS = 30 * 60_000;

/** `qemu+tcp://host:port/system`, the peer's libvirtd for an address `host:port`. */
export function peerUri(address: string): string {
  return `qemu+tcp://${address}/system`;
}

/** The host part of `host:port` or `[v6]:port`. */
export function hostOf(address: string): string {
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(address);
  if (!m?.[1]) throw new Error(`migration address "${address}" is not host:port`);
  return m[1];
}

/** Whether a domain XML has a disk QEMU writes to (a `<disk device="disk">` without `<readonly/>`). */
export function hasWritableDisk(xml: string): boolean {
  return [...xml.matchAll(/<disk\b[^>]*>[\s\S]*?<\/disk>/g)].some((m) => /device=["']disk["']/.test(m[0]) && !/<readonly\s*\/>/.test(m[0]));
}

/** Replaces the domain's `<name>` (the first, top-level one). */
export function renameDomainXml(xml: string, name: string): string {
  return xml.replace(/<name>[^<]*<\/name>/, `<name>${name.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</name>`);
}

/** Both roles of a libvirt host in a live migration. */
export class LibvirtMigration implements VMMigration {
  private readonly incoming = new Map<string, Incoming>();
  private readonly outgoing = new Map<string, Outgoing>();

  constructor(private readonly host: LibvirtMigrationHost) {}

  async prepareIncoming(workload: Workload<VMRuntimeSpec>, ip: string | undefined): Promise<string> {
    if (this.host.has(workload.uid)) throw new Error("the VMI already has a domain on the target host");
    const { domain, dir } = this.host.placement(workload);
    this.host.hold(domain, true);
    this.incoming.set(workload.uid, { domain, dir, ...(ip ? { ip } : {}) });
    try {
      const file = await this.host.writeDomainXml(workload, domain, dir);
      await this.host.virsh.run(["define", file]);
    } catch (err) {
      await this.abortIncoming(workload.uid);
      throw err;
    }
    return this.host.address;
  }

  async finishIncoming(uid: string): Promise<void> {
    const incoming = this.incoming.get(uid);
    if (!incoming) {
      if (this.host.has(uid)) return; // already running here
      throw new Error(`no incoming migration of ${uid} was prepared on this host`);
    }
    const state = (await this.host.virsh.run(["domstate", incoming.domain])).trim();
    if (state === "shut off") throw new Error(`the migrated domain ${incoming.domain} did not arrive on this host`);
    // --suspend left it paused for the handover.
    if (state === "paused") await this.host.virsh.run(["resume", incoming.domain]);
    this.incoming.delete(uid);
    this.host.hold(incoming.domain, false);
    await this.host.adopt(incoming.domain, incoming.ip);
  }

  async abortIncoming(uid: string): Promise<void> {
    const incoming = this.incoming.get(uid);
    if (!incoming) return;
    this.incoming.delete(uid);
    for (const args of [["destroy", incoming.domain], ["undefine", incoming.domain, "--nvram"]]) {
      await this.host.virsh.run(args).catch((err: unknown) => {
        if (!(err instanceof VirshError)) throw err;
      });
    }
    await rm(incoming.dir, { recursive: true, force: true });
    this.host.hold(incoming.domain, false);
  }

  async migrateOut(uid: string, targetAddress: string): Promise<void> {
    const here = this.host.running(uid);
    if (!here) throw new Error("the domain is not running on this host");
    if (this.outgoing.has(uid)) throw new Error("a migration of this domain is already under way");
    const out: Outgoing = { domain: here.domain, aborted: false };
    this.outgoing.set(uid, out);
    const uri = peerUri(targetAddress);
    try {
      const { virsh } = this.host;
      const peer = new Virsh({ uri, binary: virsh.binary, timeoutMs: 30_000 });
      const uuid = (await virsh.run(["domuuid", here.domain])).trim();
      const targetName = (await peer.run(["domname", uuid])).trim();
      const xml = await peer.run(["dumpxml", "--inactive", "--migratable", uuid]);
      const file = join(here.dir, "migration.xml");
      await writeFile(file, renameDomainXml(xml, here.domain));
      if (out.aborted) throw new Error(MIGRATION_ABORTED);
      this.host.setMigrating(uid, "sending");
      await virsh.run([
        "migrate", "--live", "--p2p", "--suspend", "--verbose", "--dname", targetName, "--xml", file,
        "--migrateuri", `tcp://${hostOf(targetAddress)}`, ...(hasWritableDisk(xml) ? ["--copy-storage-all"] : []),
        here.domain, uri,
      ], MIGRATE_TIMEOUT_MS);
    } catch (err) {
      this.host.setMigrating(uid, undefined);
      if (out.aborted) throw new Error(MIGRATION_ABORTED);
      throw err;
    } finally {
      this.outgoing.delete(uid);
    }
    this.host.setMigrating(uid, "sent");
    this.host.log?.info("domain migrated", { uid, domain: here.domain, target: uri });
  }

  abortMigration(uid: string): void {
    const out = this.outgoing.get(uid);
    if (!out || out.aborted) return;
    out.aborted = true;
    void this.abortJob(uid, out);
  }

  /** `domjobabort` until it takes: the job may not have started yet when asked. */
  private async abortJob(uid: string, out: Outgoing): Promise<void> {
    while (this.outgoing.get(uid) === out) {
      try {
        await this.host.virsh.run(["domjobabort", out.domain]);
        return;
      } catch (err) {
        this.host.log?.info("migration abort not taken yet", { uid, error: errorMessage(err) });
      }
      await delay(500);
    }
  }
}
