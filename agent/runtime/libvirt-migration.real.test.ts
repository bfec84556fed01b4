/**
 * Live migration between two real libvirt daemons on this machine: the
 * system libvirtd (host A, the source) and a second libvirtd that
 * scripts/libvirt-peer.sh starts in its own mount namespace, listening on
 * TCP (host B, the target). Runs when DURAPLANE_REAL_RUNTIMES=1 — and then
 * a daemon that cannot start fails the file — and skips otherwise. The
 * second daemon, and every domain on it, is taken down in afterAll, on
 * SIGINT/SIGTERM, and by the script's watcher if this process dies; the
 * domains made on A are named `duraplane-test-mig-a_…` and swept.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { Workload } from "./adapter.ts";
import { LibvirtVirtRuntime } from "./libvirt-vms.ts";
import { Virsh } from "./virsh.ts";
import { MIGRATION_ABORTED } from "./vm-migration.ts";
import type { VMRuntimeSpec } from "./vms.ts";
import { requireLibvirt, sweepDomains } from "../test-support/libvirt.ts";
import { until } from "../test-support/http-server.ts";
import { vmTestImages } from "../test-support/vm-images.ts";
import { DATA_DISK_REF, TINY_VM_REF } from "../../scripts/images/vm-guest.ts";
import { CONSOLE_ECHO_PREFIX, READY_LINE } from "../../scripts/images/vm-guest-init.ts";

const REAL = process.env.DURAPLANE_REAL_RUNTIMES === "1";
const URI_A = process.env.DURAPLANE_LIBVIRT_URI ?? "qemu:///system";
const PREFIX_A = "duraplane-test-mig-a_";
const PREFIX_B = "duraplane-test-mig-b_";
const PEER_SCRIPT = new URL("../../scripts/libvirt-peer.sh", import.meta.url).pathname;
const UID = "22222222-0000-4000-8000-000000000001";
const KEPT_IP = "10.77.0.9";

/** The tiny VM with its (writable) data containerDisk, so the migration copies storage too. */
function tinyVmi(): Workload<VMRuntimeSpec> {
  const rawSpec = {
    domain: {
      memory: { guest: "128Mi" },
      firmware: { kernelBoot: { kernelArgs: "quiet", container: { image: TINY_VM_REF, kernelPath: "/boot/vmlinuz", initrdPath: "/boot/initrd.gz" } } },
      devices: { autoattachGraphicsDevice: false, disks: [{ name: "data", disk: { bus: "virtio" } }] },
    },
    volumes: [{ name: "data", containerDisk: { image: DATA_DISK_REF } }],
    terminationGracePeriodSeconds: 5,
  };
  return { uid: UID, namespace: "real", name: "mover", annotations: {}, spec: { cpuCores: 1, memory: "128Mi", interfaces: ["default"] }, rawSpec };
}

function serial(rt: LibvirtVirtRuntime): string {
  const path = rt.serialLogPath(UID);
  return existsSync(path) ? readFileSync(path, "latin1") : "";
}

/** Types a line on the guest's serial console and waits for its echo in the serial log: the guest is alive. */
async function echoes(rt: LibvirtVirtRuntime, word: string): Promise<void> {
  const stream = await rt.console({ uid: UID, namespace: "real", name: "mover" });
  try {
    stream.write(`${word}\r`);
    await until(() => serial(rt).includes(`${CONSOLE_ECHO_PREFIX} ${word}`), 30_000, `the guest's echo of ${word}`);
  } finally {
    stream.destroy();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const timings: Record<string, number> = {};

describe.skipIf(!REAL)("libvirt live migration between two real daemons", () => {
  const virshA = new Virsh({ uri: URI_A });
  let virshB: Virsh;
  let peerDir = "";
  let address = "";
  const runDirs: string[] = [];
  const runtimes: LibvirtVirtRuntime[] = [];
  let a: LibvirtVirtRuntime;
  let b: LibvirtVirtRuntime;

  const peerDown = (): void => {
    if (!peerDir) return;
    try {
      execFileSync("bash", [PEER_SCRIPT, "down", peerDir], { stdio: "pipe", timeout: 60_000 });
    } catch (err) {
      console.error(`libvirt-peer down failed: ${String(err)}`);
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    peerDown();
    process.kill(process.pid, signal);
  };

  beforeAll(async () => {
    await requireLibvirt(virshA);
    await sweepDomains(virshA, PREFIX_A);
    const port = await freePort();
    peerDir = `/run/duraplane-libvirt-peer-${process.pid}`;
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const t0 = performance.now();
    const uris = execFileSync("bash", [PEER_SCRIPT, "up", peerDir, String(port), String(process.pid)], { encoding: "utf8", timeout: 60_000 }).trim().split("\n");
    timings.peerDaemonUp = Math.round(performance.now() - t0);
    const localB = uris[0] ?? "";
    address = `127.0.0.1:${port}`;
    virshB = new Virsh({ uri: localB });
    const images = await vmTestImages();
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(join(tmpdir(), `duraplane-mig-${i === 0 ? "a" : "b"}-`));
      chmodSync(dir, 0o755); // QEMU runs as its own user
      runDirs.push(dir);
    }
    a = await LibvirtVirtRuntime.open({ uri: URI_A, images, runDir: runDirs[0] ?? "", domainPrefix: PREFIX_A, kvm: false, resyncIntervalMs: 2000, migrationAddress: "127.0.0.1:16509" });
    runtimes.push(a);
    b = await LibvirtVirtRuntime.open({ uri: localB, images, runDir: runDirs[1] ?? "", domainPrefix: PREFIX_B, kvm: false, resyncIntervalMs: 2000, migrationAddress: address });
    runtimes.push(b);
  }, 180_000);

  afterAll(async () => {
    for (const r of runtimes) await r.close();
    const left = await sweepDomains(virshA, PREFIX_A).catch(() => []);
    peerDown();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
    console.log(`libvirt live-migration timings (ms): ${JSON.stringify(timings)}; domains swept on A: ${left.length}`);
  }, 120_000);

  it("two daemons with different host UUIDs: the peer answers over TCP", async ({ expect }) => {
    const uuidOf = async (v: Virsh) => /<uuid>([^<]+)<\/uuid>/.exec(await v.run(["capabilities"]))?.[1];
    const overTcp = new Virsh({ uri: `qemu+tcp://${address}/system` });
    expect(await uuidOf(overTcp)).toBe(await uuidOf(virshB));
    expect(await uuidOf(virshB)).not.toBe(await uuidOf(virshA));
  }, 30_000);

  it("boots on A; a migration aborted mid-flight leaves the guest running on A and nothing on B", async ({ expect }) => {
    const t0 = performance.now();
    await a.start(tinyVmi());
    await until(() => serial(a).includes(READY_LINE), 120_000, "the ready line on A");
    timings.bootToReady = Math.round(performance.now() - t0);
    const domainA = a.domainOf(UID) ?? "";

    const target = await b.migration?.prepareIncoming(tinyVmi(), KEPT_IP);
    expect(target).toBe(address);
    // Prepared: defined on B, not running, not B's workload yet.
    const prepared = (await virshB.run(["list", "--all", "--name"])).split("\n").map((s) => s.trim()).filter((s) => s.startsWith(PREFIX_B));
    expect(prepared).toHaveLength(1);
    expect((await virshB.run(["domstate", prepared[0] ?? ""])).trim()).toBe("shut off");
    expect(b.observe(UID)).toBeUndefined();

    // Slowed to 1 MiB/s so the abort surely lands mid-flight, also where KVM would send 128 MiB in a blink.
    const speed = (await virshA.run(["migrate-getspeed", domainA])).trim();
    await virshA.run(["migrate-setspeed", domainA, "1"]);
    const sending = a.migration?.migrateOut(UID, target ?? "") ?? Promise.reject(new Error("no migration on A"));
    const outcome = sending.then(() => "sent", (err: unknown) => (err instanceof Error ? err.message : String(err)));
    await until(async () => /Unbounded/.test(await virshA.run(["domjobinfo", domainA]).catch(() => "")), 30_000, "the migration job on A");
    a.migration?.abortMigration(UID);
    expect(await outcome).toBe(MIGRATION_ABORTED);
    timings.abortedAfterStart = Math.round(performance.now() - t0 - (timings.bootToReady ?? 0));
    await b.migration?.abortIncoming(UID);
    await virshA.run(["migrate-setspeed", domainA, speed]);

    await until(() => a.observe(UID)?.paused === false, 10_000, "A's domain not paused");
    expect((await virshA.run(["domstate", domainA])).trim()).toBe("running");
    expect(a.observe(UID)?.state.phase).toBe("running");
    expect((await virshB.run(["list", "--all", "--name"])).trim()).toBe("");
    await echoes(a, "after-abort");
    // Not rebooted: the ready line was printed once.
    expect(serial(a).split(READY_LINE).length - 1).toBe(1);
  }, 240_000);

  it("migrates live to B: B runs the guest (not rebooted, console answers, IP kept), A's domain is gone", async ({ expect }) => {
    const domainA = a.domainOf(UID) ?? "";
    const idA = (await virshA.run(["domid", domainA])).trim();
    expect(idA).toMatch(/^\d+$/);
    const target = (await b.migration?.prepareIncoming(tinyVmi(), KEPT_IP)) ?? "";
    const t0 = performance.now();
    await a.migration?.migrateOut(UID, target);
    timings.migrate = Math.round(performance.now() - t0);

    const domainB = (await virshB.run(["list", "--name"])).split("\n").map((s) => s.trim()).find((s) => s.startsWith(PREFIX_B)) ?? "";
    expect(domainB).not.toBe("");
    // --suspend: it waits, paused, for the handover; A's copy ended as migrated.
    expect((await virshB.run(["domstate", domainB, "--reason"])).trim()).toBe("paused (user)");
    expect((await virshA.run(["domstate", domainA, "--reason"])).trim()).toBe("shut off (migrated)");
    expect(a.observe(UID)?.state.phase).toBe("running"); // unchanged until the host loop lets it go
    expect(b.observe(UID)).toBeUndefined();

    await b.migration?.finishIncoming(UID);
    timings.migrateAndFinish = Math.round(performance.now() - t0);
    expect(b.observe(UID)).toEqual(expect.objectContaining({ state: expect.objectContaining({ phase: "running" }), paused: false, ip: KEPT_IP }));
    expect(b.domainOf(UID)).toBe(domainB);
    expect((await virshB.run(["domstate", domainB])).trim()).toBe("running");
    // The same guest: its UUID, and a serial log on B that starts after the boot (no second ready line).
    expect((await virshB.run(["domuuid", domainB])).trim()).toBe(UID);
    expect(serial(b)).not.toContain(READY_LINE);
    await echoes(b, "on-b");
    // B's domain runs from B's files.
    expect(await virshB.run(["dumpxml", domainB])).toContain(runDirs[1]);

    // The source lets its copy go (what the host loop does after the handover).
    await a.stop(UID, 5);
    expect(a.observe(UID)?.state).toEqual(expect.objectContaining({ phase: "exited", reason: "Migrated" }));
    await a.remove(UID);
    expect((await virshA.run(["list", "--all", "--name"])).split("\n").map((s) => s.trim())).not.toContain(domainA);
    expect(b.observe(UID)?.state.phase).toBe("running");
    await echoes(b, "still-on-b");
  }, 180_000);
});
