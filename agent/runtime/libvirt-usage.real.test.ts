/**
 * VM usage from the real libvirtd and QEMU (DURAPLANE_REAL_RUNTIMES=1;
 * skipped otherwise): a booted tiny VM, read twice through `virsh domstats`,
 * has a CPU rate and the QEMU process's resident memory. Its domain is
 * named `duraplane-usagetest-…` (a prefix no other test sweeps) and is
 * destroyed and undefined in afterAll, whatever happened.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { TINY_VM_REF } from "../../scripts/images/vm-guest.ts";
import { requireLibvirt, sweepDomains } from "../test-support/libvirt.ts";
import { until } from "../test-support/http-server.ts";
import { vmTestImages } from "../test-support/vm-images.ts";
import { UsageCollector } from "../usage.ts";
import { LibvirtVirtRuntime } from "./libvirt-vms.ts";
import { Virsh } from "./virsh.ts";

const REAL = process.env.DURAPLANE_REAL_RUNTIMES === "1";
const URI = process.env.DURAPLANE_LIBVIRT_URI ?? "qemu:///system";
const PREFIX = "duraplane-usagetest-";
const BOOT_MS = 90_000;

describe.skipIf(!REAL)("libvirt usage", () => {
  const virsh = new Virsh({ uri: URI });
  let runDir = "";
  let rt: LibvirtVirtRuntime | undefined;

  beforeAll(async () => {
    await requireLibvirt(virsh);
    await sweepDomains(virsh, PREFIX);
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
    await sweepDomains(virsh, PREFIX).catch(() => []);
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  }, 60_000);

  it("reads a running VM's cpu.time and resident memory through virsh domstats", async ({ expect }) => {
    const images = await vmTestImages();
    runDir = mkdtempSync(join(tmpdir(), "duraplane-usage-vms-"));
    // QEMU runs as its own user: it must be able to reach the VMI files.
    chmodSync(runDir, 0o755);
    const runtime = await LibvirtVirtRuntime.open({ uri: URI, images, runDir, domainPrefix: PREFIX, resyncIntervalMs: 2000 });
    rt = runtime;
    const uid = "22222222-0000-4000-8000-000000000001";
    await runtime.start({
      uid, namespace: "real", name: "tiny", annotations: {}, spec: { cpuCores: 1, memory: "256Mi", interfaces: ["default"] },
      rawSpec: { domain: { memory: { guest: "256Mi" }, firmware: { kernelBoot: { container: { image: TINY_VM_REF, kernelPath: "/boot/vmlinuz", initrdPath: "/boot/initrd.gz" } } }, devices: { autoattachGraphicsDevice: false } } },
    });
    await until(() => runtime.observe(uid)?.state.phase === "running", BOOT_MS, "running");
    const collector = new UsageCollector({ vmis: () => runtime.usage() });
    await collector.collect();
    await new Promise((r) => setTimeout(r, 2000));
    const usage = await collector.collect();
    const vmi = usage?.vmis?.find((v) => v.uid === uid);
    expect(vmi).toEqual(expect.objectContaining({ namespace: "real", name: "tiny" }));
    // A booting guest under TCG keeps its vCPU busy; QEMU's resident set is tens of MiB at least.
    expect(vmi?.cpuNanoCores).toBeGreaterThan(1_000_000);
    expect(vmi?.memoryBytes).toBeGreaterThan(16 * 1024 * 1024);
    expect(vmi?.windowSeconds).toBeGreaterThanOrEqual(2);
  }, BOOT_MS + 60_000);
});
