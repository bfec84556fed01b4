/**
 * The libvirt adapter's logic against a stand-in virsh (test-support/fake-virsh.sh):
 * files prepared per VMI, the domain defined and started, guest agent info and
 * addresses read, ACPI stop or destroy at the end of the grace period, pause,
 * adoption, removal. The real daemons are in libvirt-vms.real.test.ts.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";
import type { Workload } from "./adapter.ts";
import { DirectoryImageStore, IMAGE_DONE_MARKER, imageDirName } from "./dir-images.ts";
import { LibvirtVirtRuntime } from "./libvirt-vms.ts";
import { Virsh } from "./virsh.ts";
import type { VMRuntimeSpec } from "./vms.ts";
import { until } from "../test-support/http-server.ts";
import { tempDir } from "../../test/e2e/temp-dir.ts";

const FAKE = fileURLToPath(new URL("../test-support/fake-virsh.sh", import.meta.url));

async function setup() {
  const root = tempDir("fake-virsh-");
  const domains = join(root, "domains");
  mkdirSync(domains);
  process.env.FAKE_VIRSH_DIR = domains;
  const images = join(root, "images");
  const disk = join(images, imageDirName("localhost/duraplane/data-disk:latest"));
  mkdirSync(join(disk, "disk"), { recursive: true });
  writeFileSync(join(disk, "disk", "data.img"), "DURAPLANE-DATA-DISK-v1\n");
  writeFileSync(join(disk, IMAGE_DONE_MARKER), "");
  const runDir = join(root, "vms");
  chmodSync(root, 0o755);
  const open = (resyncIntervalMs = 60_000) => LibvirtVirtRuntime.open({
    uri: "test:///fake", images: new DirectoryImageStore(images), runDir, virsh: new Virsh({ uri: "test:///fake", binary: FAKE }), resyncIntervalMs,
  });
  const calls = (): string[] => (existsSync(join(domains, "calls")) ? readFileSync(join(domains, "calls"), "utf8").trim().split("\n") : []);
  return { domains, runDir, open, calls };
}

function vmi(uid: string, extra: Record<string, unknown> = {}): Workload<VMRuntimeSpec> {
  const rawSpec = {
    domain: { memory: { guest: "128Mi" }, devices: { disks: [{ name: "data" }, { name: "seed" }] } },
    volumes: [
      { name: "data", containerDisk: { image: "localhost/duraplane/data-disk:latest" } },
      { name: "seed", cloudInitNoCloud: { userData: "#cloud-config\n" } },
      { name: "scratch", emptyDisk: { capacity: "64Mi" } },
    ],
    ...extra,
  };
  return { uid, namespace: "ns", name: "vm1", annotations: {}, spec: { cpuCores: 1, interfaces: ["default"] }, rawSpec };
}

describe("libvirt VM runtime (stand-in virsh)", () => {
  it("prepares the VMI's files, defines and starts the domain, and reports the guest agent's OS info and the lease", async ({ expect }) => {
    const f = await setup();
    const rt = await f.open();
    try {
      expect(rt.runtimeVersion).toBe("libvirt://9.9.9");
      await rt.start(vmi("u1"));
      const dir = join(f.runDir, "u1");
      expect(readFileSync(join(dir, "disk-0"), "utf8")).toBe("DURAPLANE-DATA-DISK-v1\n");
      expect(readFileSync(join(dir, "disk-1-cidata.iso")).subarray(32769, 32774).toString()).toBe("CD001");
      expect(statSync(join(dir, "disk-2-empty.img")).size).toBe(64 * 1024 * 1024);
      expect(statSync(dir).mode & 0o777).toBe(0o755);
      const o = rt.observe("u1");
      expect(o?.state.phase).toBe("running");
      expect(o?.detail).toEqual({
        interfaces: [{ name: "default", mac: expect.stringMatching(/^52:54:00:/), ipAddress: "192.168.122.9" }],
        guestOSInfo: expect.objectContaining({ id: "debian", prettyName: "Debian GNU/Linux 12 (bookworm)", kernelRelease: "6.1.0-50-amd64" }),
        guestAgentConnected: true,
      });
      expect(o?.ip).toBe("192.168.122.9");
      expect(f.calls().filter((c) => /^(define|start) /.test(c)).map((c) => c.split(" ")[0])).toEqual(["define", "start"]);
      // idempotent
      await rt.start(vmi("u1"));
      expect(f.calls().filter((c) => c.startsWith("start ")).length).toBe(1);
      await rt.pause("u1");
      expect(rt.observe("u1")?.paused).toBe(true);
      await rt.unpause("u1");
      expect(rt.observe("u1")?.paused).toBe(false);
      await rt.stop("u1", 30);
      expect(rt.observe("u1")?.state).toEqual(expect.objectContaining({ phase: "exited", exitCode: 0, reason: "Shutdown", requested: true }));
      expect(f.calls()).toContainEqual(expect.stringMatching(/^shutdown \S+ --mode acpi$/));
      await rt.remove("u1");
      expect(existsSync(dir)).toBe(false);
      expect(rt.list()).toEqual([]);
    } finally {
      await rt.close();
    }
  });

  it("destroys a guest that ignores the power button when the grace period ends (Destroyed, 137)", async ({ expect }) => {
    const f = await setup();
    writeFileSync(join(f.domains, "ignore-acpi"), "");
    const rt = await f.open();
    try {
      await rt.start(vmi("u2"));
      const t0 = Date.now();
      await rt.stop("u2", 1);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
      expect(rt.observe("u2")?.state).toEqual(expect.objectContaining({ exitCode: 137, reason: "Destroyed", requested: true }));
    } finally {
      await rt.close();
    }
  });

  it("sees a domain that ended behind its back on the next resync (Crashed), and adopts running domains in a new instance", async ({ expect }) => {
    const f = await setup();
    const rt = await f.open(200);
    await rt.start(vmi("u3"));
    await rt.start(vmi("u4"));
    const domain = rt.domainOf("u3") ?? "";
    writeFileSync(join(f.domains, `${domain}.state`), "shut off (crashed)\n");
    await until(() => rt.observe("u3")?.state.phase === "exited", 3000, "the crash seen by the resync");
    expect(rt.observe("u3")?.state).toEqual(expect.objectContaining({ exitCode: 1, reason: "Crashed", requested: false }));
    await rt.close();
    const again = await f.open();
    try {
      expect(again.observe("u4")).toEqual(expect.objectContaining({ state: expect.objectContaining({ phase: "running" }) }));
      expect(again.observe("u3")?.state).toEqual(expect.objectContaining({ phase: "exited", reason: "Crashed" }));
      expect(again.observe("u4")?.detail.interfaces[0]?.name).toBe("default");
    } finally {
      await again.close();
    }
  });

  it("reports a spec it cannot honour as BootFailed, without defining anything", async ({ expect }) => {
    const f = await setup();
    const rt = await f.open();
    try {
      await rt.start(vmi("u5", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "pvc" } }] }));
      expect(rt.observe("u5")?.state).toEqual(expect.objectContaining({ phase: "exited", exitCode: 1, reason: "BootFailed", message: expect.stringContaining("persistentVolumeClaim") }));
      expect(f.calls().some((c) => c.startsWith("define"))).toBe(false);
    } finally {
      await rt.close();
    }
  });
});
