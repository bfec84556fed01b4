/**
 * The libvirt VM adapter against the real libvirtd and QEMU (TCG here, KVM
 * where the host can run guests under it: agent/runtime/kvm.ts). Runs when DURAPLANE_REAL_RUNTIMES=1 — and then a
 * missing daemon fails the file rather than skipping it — and skips
 * otherwise. Every domain it makes is named `duraplane-test-…` and is
 * destroyed and undefined in afterAll, whatever happened.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, chmodSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { Workload } from "./adapter.ts";
import { HostLoop } from "../host.ts";
import { vmiDriver } from "../kinds/vmi.ts";
import { memoryLogger } from "../log.ts";
import { asApiObject } from "../objects.ts";
import { Sequence } from "../sequence.ts";
import type { ReportItem } from "../../shared/hosts/report.ts";
import { type DirectoryImageStore } from "./dir-images.ts";
import { LibvirtVirtRuntime } from "./libvirt-vms.ts";
import { Virsh } from "./virsh.ts";
import type { VMRuntimeSpec } from "./vms.ts";
import { requireLibvirt, sweepDomains } from "../test-support/libvirt.ts";
import { until } from "../test-support/http-server.ts";
import { vmTestImages } from "../test-support/vm-images.ts";
import { DATA_DISK_MAGIC, DATA_DISK_REF, TINY_VM_REF } from "../../scripts/images/vm-guest.ts";
import { CIDATA_LINE_PREFIX, DISK_LINE_PREFIX, POWER_OFF_LINE, READY_LINE, SELF_POWER_OFF_LINE } from "../../scripts/images/vm-guest-init.ts";

const REAL = process.env.DURAPLANE_REAL_RUNTIMES === "1";
const URI = process.env.DURAPLANE_LIBVIRT_URI ?? "qemu:///system";
const PREFIX = "duraplane-test-";
const BOOT_MS = 90_000;

/** The tiny VM with the data containerDisk; `more` adds a NoCloud seed and an empty disk. */
function tinyVmi(uid: string, name: string, kernelArgs = "quiet", more = false): Workload<VMRuntimeSpec> {
  const rawSpec = {
    domain: {
      memory: { guest: "256Mi" },
      firmware: { kernelBoot: { kernelArgs, container: { image: TINY_VM_REF, kernelPath: "/boot/vmlinuz", initrdPath: "/boot/initrd.gz" } } },
      devices: { autoattachGraphicsDevice: false, disks: [{ name: "data", disk: { bus: "virtio" } }, ...(more ? [{ name: "seed", disk: { bus: "virtio" } }, { name: "scratch", disk: { bus: "sata" } }] : [])] },
    },
    volumes: [
      { name: "data", containerDisk: { image: DATA_DISK_REF } },
      ...(more ? [{ name: "seed", cloudInitNoCloud: { userData: "#cloud-config from duraplane\n" } }, { name: "scratch", emptyDisk: { capacity: "4Mi" } }] : []),
    ],
    terminationGracePeriodSeconds: 60,
  };
  return { uid, namespace: "real", name, annotations: {}, spec: { cpuCores: 1, memory: "256Mi", interfaces: ["default"] }, rawSpec };
}

/** The pid of the qemu-system-x86_64 process running `domain`, from /proc. */
function qemuPid(domain: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0");
      if (!cmdline.some((a) => a === `guest=${domain},debug-threads=on` || a.startsWith(`guest=${domain},`))) continue;
      if (readlinkSync(`/proc/${entry}/exe`).endsWith("qemu-system-x86_64")) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

function serial(rt: LibvirtVirtRuntime, uid: string): string {
  const path = rt.serialLogPath(uid);
  return existsSync(path) ? readFileSync(path, "latin1") : "";
}

const timings: Record<string, number> = {};

describe.skipIf(!REAL)("libvirt VM runtime against the real daemons", () => {
  const virsh = new Virsh({ uri: URI });
  let runDir = "";
  let images: DirectoryImageStore;
  const runtimes: LibvirtVirtRuntime[] = [];
  let rt: LibvirtVirtRuntime;

  beforeAll(async () => {
    await requireLibvirt(virsh);
    await sweepDomains(virsh, PREFIX);
    images = await vmTestImages();
    runDir = mkdtempSync(join(tmpdir(), "duraplane-vms-"));
    // QEMU runs as its own user: it must be able to reach the VMI files.
    chmodSync(runDir, 0o755);
    rt = await LibvirtVirtRuntime.open({ uri: URI, images, runDir, domainPrefix: PREFIX, resyncIntervalMs: 2000 });
    runtimes.push(rt);
  }, 180_000);

  afterAll(async () => {
    for (const r of runtimes) await r.close();
    const left = await sweepDomains(virsh, PREFIX).catch(() => []);
    if (runDir) rmSync(runDir, { recursive: true, force: true });
    console.log(`libvirt real-runtime timings (ms): ${JSON.stringify(timings)}; domains swept: ${left.length}`);
  }, 60_000);

  it("boots the kernelBoot image with the containerDisk: running with a real qemu-system-x86_64 whose serial console prints the ready line and the disk", async ({ expect }) => {
    const t0 = performance.now();
    await rt.start(tinyVmi("11111111-0000-4000-8000-000000000001", "tiny", "quiet", true));
    const uid = "11111111-0000-4000-8000-000000000001";
    await until(() => rt.observe(uid)?.state.phase === "running", BOOT_MS, "running");
    timings.startToRunning = Math.round(performance.now() - t0);
    const domain = rt.domainOf(uid) ?? "";
    expect(domain.startsWith(PREFIX)).toBe(true);
    expect(qemuPid(domain)).toBeGreaterThan(0);
    await until(() => serial(rt, uid).includes(READY_LINE), BOOT_MS, "the ready line");
    timings.startToReadyLine = Math.round(performance.now() - t0);
    // Waited for whole (newline-ended): the console may be read while the guest is still writing a line.
    await until(() => new RegExp(`${DISK_LINE_PREFIX} vda[^\\n]*\\n`).test(serial(rt, uid)), 10_000, "the disk line");
    expect(serial(rt, uid)).toMatch(new RegExp(`${DISK_LINE_PREFIX} vda bytes=1048576 head=${DATA_DISK_MAGIC}`));
    // The NoCloud seed this host wrote mounts in Linux as ISO 9660 with cloud-init's file names; the empty disk is on SATA.
    await until(() => new RegExp(`${CIDATA_LINE_PREFIX} vdb[^\\n]*\\n`).test(serial(rt, uid)), 10_000, "the NoCloud seed line");
    expect(serial(rt, uid)).toContain(`${CIDATA_LINE_PREFIX} vdb files=meta-data user-data user-data=#cloud-config from duraplane`);
    await until(() => new RegExp(`${DISK_LINE_PREFIX} sda bytes=4194304 head=\\.{32}`).test(serial(rt, uid)), 10_000, "the SATA empty disk line");
    const o = rt.observe(uid);
    expect(o).toEqual(expect.objectContaining({ attempt: 0, paused: false }));
    expect(o?.detail.interfaces).toEqual([{ name: "default", mac: expect.stringMatching(/^52:54:00:/) }]);
    expect(o?.detail.guestAgentConnected).toBe(false);
    expect(rt.runtimeVersion).toMatch(/^libvirt:\/\/\d+\.\d+/);
  }, BOOT_MS + 30_000);

  it("pauses (domstate paused, observation paused) and unpauses", async ({ expect }) => {
    const uid = "11111111-0000-4000-8000-000000000001";
    const domain = rt.domainOf(uid) ?? "";
    await rt.pause(uid);
    expect((await virsh.run(["domstate", domain, "--reason"])).trim()).toBe("paused (user)");
    expect(rt.observe(uid)).toEqual(expect.objectContaining({ paused: true, state: expect.objectContaining({ phase: "running" }) }));
    await rt.unpause(uid);
    expect((await virsh.run(["domstate", domain, "--reason"])).trim()).toMatch(/^running/);
    expect(rt.observe(uid)?.paused).toBe(false);
    // A suspend done behind the adapter's back is observed through libvirt's events.
    await virsh.run(["suspend", domain]);
    await until(() => rt.observe(uid)?.paused === true, 10_000, "paused seen from the event");
    await virsh.run(["resume", domain]);
    await until(() => rt.observe(uid)?.paused === false, 10_000, "resumed seen from the event");
  }, 60_000);

  it("through the host loop: the VMI's Paused condition suspends the domain, the report keeps Paused while libvirt says paused, and its removal resumes it", async ({ expect }) => {
    const uid = "11111111-0000-4000-8000-000000000001";
    const domain = rt.domainOf(uid) ?? "";
    const items: ReportItem[] = [];
    const loop = new HostLoop(vmiDriver(rt), { hostIP: "127.0.0.1", sequence: new Sequence(), reporter: { enqueue: (i) => items.push(i) }, log: memoryLogger() });
    const vmiObject = (conditions: Record<string, unknown>[]) => {
      const { rawSpec } = tinyVmi(uid, "tiny", "quiet", true);
      const o = asApiObject({ metadata: { name: "tiny", namespace: "real", uid, resourceVersion: "1" }, spec: rawSpec, status: { phase: "Running", nodeName: "n1", conditions } });
      if (!o) throw new Error("bad fixture");
      return o;
    };
    const conditionsOf = (i: ReportItem | undefined) => (i?.kind === "VirtualMachineInstance" ? i.status.conditions ?? [] : []);
    try {
      loop.replace([vmiObject([])]);
      await loop.idle();
      expect(items.at(-1)?.status).toEqual(expect.objectContaining({ phase: "Running" }));
      const paused = { type: "Paused", status: "True", reason: "PausedByUser", message: "VMI was paused by user" };
      loop.apply("MODIFIED", vmiObject([paused]));
      await until(() => conditionsOf(items.at(-1)).some((c) => c.type === "Paused"), 20_000, "a report with Paused");
      expect((await virsh.run(["domstate", domain, "--reason"])).trim()).toBe("paused (user)");
      expect(conditionsOf(items.at(-1))).toContainEqual(paused);
      loop.apply("MODIFIED", vmiObject([]));
      await until(() => rt.observe(uid)?.paused === false, 20_000, "resumed");
      await loop.idle();
      expect((await virsh.run(["domstate", domain, "--reason"])).trim()).toMatch(/^running/);
      expect(conditionsOf(items.at(-1)).some((c) => c.type === "Paused")).toBe(false);
    } finally {
      loop.close();
    }
  }, 60_000);

  it("restarts its libvirt event stream when the virsh child dies", async ({ expect }) => {
    const pid = rt.eventStreamPid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid ?? 0, "SIGKILL");
    await until(() => rt.eventStreamPid !== undefined && rt.eventStreamPid !== pid, 10_000, "a new event stream");
    const uid = "11111111-0000-4000-8000-000000000001";
    await virsh.run(["suspend", rt.domainOf(uid) ?? ""]);
    await until(() => rt.observe(uid)?.paused === true, 10_000, "paused seen from the new stream");
    await rt.unpause(uid);
  }, 30_000);

  it("a new adapter instance (an agent restart) adopts the running domain by the VMI uid in its metadata", async ({ expect }) => {
    const uid = "11111111-0000-4000-8000-000000000001";
    const second = await LibvirtVirtRuntime.open({ uri: URI, images, runDir, domainPrefix: PREFIX, resyncIntervalMs: 60_000 });
    runtimes.push(second);
    await until(() => second.observe(uid)?.state.phase === "running", 10_000, "adopted and running");
    expect(second.list().map((o) => o.uid)).toContain(uid);
    expect(second.domainOf(uid)).toBe(rt.domainOf(uid));
    expect(second.observe(uid)?.detail.interfaces).toEqual(rt.observe(uid)?.detail.interfaces);
    await second.close();
    // Closing an adapter leaves its domains running, as the kubelet leaves containers.
    expect((await virsh.run(["domstate", rt.domainOf(uid) ?? ""])).trim()).toBe("running");
  }, 30_000);

  it("stops gracefully: ACPI power-off seen by libvirt → exited Shutdown, exit 0; remove undefines it and deletes its files", async ({ expect }) => {
    const uid = "11111111-0000-4000-8000-000000000001";
    const domain = rt.domainOf(uid) ?? "";
    // The guest's DHCP client got QEMU's user-mode lease (the guest prints it; libvirt cannot see it).
    await until(() => serial(rt, uid).includes("duraplane-tiny-vm dhcp eth0 10.0.2.15"), 30_000, "the DHCP lease line");
    const t0 = performance.now();
    await rt.stop(uid, 60);
    timings.gracefulStop = Math.round(performance.now() - t0);
    expect(rt.observe(uid)?.state).toEqual(expect.objectContaining({ phase: "exited", exitCode: 0, reason: "Shutdown", requested: true }));
    expect(serial(rt, uid)).toContain(POWER_OFF_LINE);
    expect((await virsh.run(["domstate", domain, "--reason"])).trim()).toBe("shut off (shutdown)");
    expect(qemuPid(domain)).toBeUndefined();
    await rt.remove(uid);
    expect(rt.observe(uid)).toBeUndefined();
    expect((await virsh.run(["list", "--all", "--name"])).split("\n").map((n) => n.trim())).not.toContain(domain);
    expect(existsSync(join(runDir, uid))).toBe(false);
  }, 90_000);

  it("a guest that powers itself off exits Shutdown (not requested); a restart is a new attempt, and kill -9 of its QEMU exits Crashed", async ({ expect }) => {
    const uid = "11111111-0000-4000-8000-000000000002";
    const t0 = performance.now();
    await rt.start(tinyVmi(uid, "self-off", "quiet duraplane.poweroff"));
    await until(() => rt.observe(uid)?.state.phase === "exited", BOOT_MS, "the guest's own power-off");
    timings.startToSelfPowerOff = Math.round(performance.now() - t0);
    expect(serial(rt, uid)).toContain(SELF_POWER_OFF_LINE);
    expect(rt.observe(uid)?.state).toEqual(expect.objectContaining({ exitCode: 0, reason: "Shutdown", requested: false }));

    await rt.start(tinyVmi(uid, "self-off", "quiet"));
    await until(() => rt.observe(uid)?.state.phase === "running", BOOT_MS, "running again");
    expect(rt.observe(uid)).toEqual(expect.objectContaining({ attempt: 1, lastExit: expect.objectContaining({ reason: "Shutdown" }) }));
    const domain = rt.domainOf(uid) ?? "";
    const pid = await until(() => qemuPid(domain), 10_000, "the QEMU process");
    process.kill(pid, "SIGKILL");
    await until(() => rt.observe(uid)?.state.phase === "exited", 30_000, "the crash observed");
    expect(rt.observe(uid)?.state).toEqual(expect.objectContaining({ exitCode: 1, reason: "Crashed", requested: false }));
    expect(execFileSync("virsh", ["-c", URI, "domstate", domain, "--reason"]).toString().trim()).toBe("shut off (crashed)");
    await rt.remove(uid);
  }, 2 * BOOT_MS + 30_000);

  it("boots the same image under EFI firmware: libvirt picks OVMF, the guest reaches its ready line, and removal drops its NVRAM", async ({ expect }) => {
    const uid = "11111111-0000-4000-8000-000000000004";
    const w = tinyVmi(uid, "efi");
    const domainSpec = (w.rawSpec as { domain: { firmware: Record<string, unknown> } }).domain;
    domainSpec.firmware = { ...domainSpec.firmware, bootloader: { efi: { secureBoot: false } } };
    const t0 = performance.now();
    await rt.start(w);
    await until(() => rt.observe(uid)?.state.phase === "running", BOOT_MS, "running");
    const domain = rt.domainOf(uid) ?? "";
    const live = execFileSync("virsh", ["-c", URI, "dumpxml", domain]).toString();
    expect(live).toMatch(/<loader [^>]*type=['"]pflash['"][^>]*>[^<]*OVMF[^<]*<\/loader>/);
    const nvram = /<nvram[^>]*>([^<]+)<\/nvram>/.exec(live)?.[1] ?? "";
    expect(existsSync(nvram)).toBe(true);
    await until(() => serial(rt, uid).includes(READY_LINE), BOOT_MS, "the ready line under EFI");
    timings.efiStartToReadyLine = Math.round(performance.now() - t0);
    await rt.remove(uid);
    expect(existsSync(nvram)).toBe(false);
  }, BOOT_MS + 60_000);

  it("fails a VMI whose image is missing as BootFailed, naming the image, with no domain left", async ({ expect }) => {
    const uid = "11111111-0000-4000-8000-000000000003";
    const w = tinyVmi(uid, "no-image");
    const spec = w.rawSpec as { volumes: { containerDisk: { image: string } }[] };
    spec.volumes[0] = { ...spec.volumes[0], containerDisk: { image: "localhost/duraplane/absent:latest" } } as never;
    await rt.start(w);
    expect(rt.observe(uid)?.state).toEqual(expect.objectContaining({ phase: "exited", exitCode: 1, reason: "BootFailed", message: expect.stringContaining("localhost/duraplane/absent:latest") }));
    await rt.remove(uid);
  });

  it("writes domain XML that libvirt's schema accepts (the golden files)", ({ expect }) => {
    const dir = new URL("./testdata/", import.meta.url).pathname;
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".xml"))) {
      // virt-xml-validate exits non-zero (execFileSync throws) when the document does not validate.
      expect(() => execFileSync("virt-xml-validate", [join(dir, f), "domain"], { stdio: "pipe" }), f).not.toThrow();
    }
  });
});
