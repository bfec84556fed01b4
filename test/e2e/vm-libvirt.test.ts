/**
 * A real VM through the whole loop: a local server, one real duraplane-agent
 * with `--vm-runtime libvirt`, the real kubectl, libvirtd and QEMU. A
 * VirtualMachine (runStrategy Always) booting the tiny kernelBoot image with
 * the data containerDisk — both read from containerd's store, where
 * `npm run images` imports them — reaches Running with a real qemu-system-x86_64
 * whose serial console printed the ready line and the disk; `kubectl wait
 * --for=condition=Ready` passes; pause/unpause (virtctl's requests) suspend
 * and resume the domain and the VMI shows Paused meanwhile; kill -9 of QEMU
 * fails the VMI and the VM gets a new one that runs; stop powers the guest
 * off over ACPI → Stopped.
 * Runs when DURAPLANE_REAL_RUNTIMES=1 (then a missing libvirtd fails it) and
 * skips otherwise. Every domain it makes is destroyed and undefined after.
 */
import { chmodSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalHost, startHosts, stopHosts } from "../../scripts/local-hosts.ts";
import { DATA_DISK_MAGIC, DATA_DISK_REF, TINY_VM_REF } from "../../scripts/images/vm-guest.ts";
import { CONSOLE_ECHO_PREFIX, READY_LINE } from "../../scripts/images/vm-guest-init.ts";
import WebSocket from "ws";
import { requireLibvirt, sweepDomains } from "../../agent/test-support/libvirt.ts";
import { buildImages } from "../../scripts/images/build.ts";
import { Ctr } from "../../agent/runtime/ctr.ts";
import { domainPrefixFor } from "../../agent/commands/vm-runtime.ts";
import { Virsh } from "../../agent/runtime/virsh.ts";
import { kubectl as run, kubectlOk, manifest, until } from "./kubectl.ts";
import { type LocalServer, startServer, stopServer } from "./server.ts";
import { tempDir } from "./temp-dir.ts";

const REAL = process.env.DURAPLANE_REAL_RUNTIMES === "1";
const NS = "e2e-libvirt";
/** The agent of host-1 names domains `duraplane-host-1_<namespace>_<name>-<uid prefix>`. */
const PREFIX = `${domainPrefixFor("host-1")}${NS}_`;
const BOOT_MS = 120_000;

let server: LocalServer | undefined;
let hosts: LocalHost[] = [];
let runDir = "";
const virsh = new Virsh({ uri: "qemu:///system" });
const ok = kubectlOk(() => server?.kubeconfig ?? "");

interface VMIJson {
  metadata: { uid: string };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string }[]; interfaces?: { name: string; mac: string }[]; nodeName?: string };
}
const vmi = (): VMIJson | undefined => {
  const r = run(server?.kubeconfig ?? "", ["-n", NS, "get", "vmi", "tiny", "-o", "json"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as VMIJson) : undefined;
};
const condition = (type: string) => vmi()?.status?.conditions?.find((c) => c.type === type)?.status;
const vmStatus = () => ok("-n", NS, "get", "vm", "tiny", "-o", "jsonpath={.status.printableStatus}");
const subresource = (path: string) => run(server?.kubeconfig ?? "", ["replace", "--raw", `/apis/subresources.kubevirt.io/v1/namespaces/${NS}/${path}`, "-f", manifest("{}")]);
const serialLog = (uid: string): string => {
  try {
    return readFileSync(join(runDir, uid, "serial.log"), "latin1");
  } catch {
    return "";
  }
};

async function domState(domain: string): Promise<string> {
  return (await virsh.run(["domstate", domain, "--reason"]).catch(() => "")).trim();
}

async function untilAsync(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function domainOf(uid: string): Promise<string | undefined> {
  const names = (await virsh.run(["list", "--all", "--name"])).split("\n").map((n) => n.trim());
  return names.find((n) => n.startsWith(PREFIX) && n.endsWith(`-${uid.slice(0, 8)}`));
}

function qemuPid(domain: string): number | undefined {
  for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0");
      if (args.some((a) => a.startsWith(`guest=${domain},`)) && readlinkSync(`/proc/${entry}/exe`).endsWith("qemu-system-x86_64")) return Number(entry);
    } catch {
      // ended meanwhile
    }
  }
  return undefined;
}

describe.skipIf(!REAL)("a real VM under libvirt, driven through the API", () => {
  beforeAll(async () => {
    await requireLibvirt(virsh);
    await sweepDomains(virsh, PREFIX);
    // As `npm run images` does: the VM images go into containerd's store, where the agent reads them.
    await buildImages({ ctr: new Ctr({}), only: [TINY_VM_REF, DATA_DISK_REF] });
    runDir = tempDir("duraplane-e2e-vms-");
    chmodSync(runDir, 0o755);
    server = await startServer({ hosts: 0 });
    hosts = await startHosts(server.url, server.token, server.state, 1, {
      joinArgs: ["--cpu", "4", "--memory", "8Gi"],
      runArgs: ["--heartbeat-interval-ms", "2000", "--vm-runtime", "libvirt", "--container-runtime", "containerd", "--vm-run-dir", runDir],
    });
    ok("create", "namespace", NS);
  }, 240_000);

  afterAll(async () => {
    await stopHosts(hosts);
    if (server) await stopServer(server);
    await sweepDomains(virsh, PREFIX).catch(() => []);
  }, 60_000);

  it("boots, pauses and unpauses, survives a killed QEMU (runStrategy Always makes a new VMI), and stops over ACPI", async () => {
    ok("-n", NS, "apply", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: tiny}
spec:
  runStrategy: Always
  template:
    spec:
      terminationGracePeriodSeconds: 60
      domain:
        memory: {guest: 256Mi}
        resources: {requests: {memory: 256Mi, cpu: "1"}}
        firmware:
          kernelBoot:
            kernelArgs: quiet
            container: {image: "${TINY_VM_REF}", kernelPath: /boot/vmlinuz, initrdPath: /boot/initrd.gz}
        devices:
          autoattachGraphicsDevice: false
          disks: [{name: data, disk: {bus: virtio}}]
      volumes: [{name: data, containerDisk: {image: "${DATA_DISK_REF}"}}]
`));
    const t0 = Date.now();
    await until("VMI Running", () => vmi()?.status?.phase === "Running", BOOT_MS);
    // The serial console through the node's tunnel, as virtctl console opens it: the guest boots on it.
    const serial = new WebSocket(`${server?.url.replace("https", "wss") ?? ""}/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/tiny/console`,
      ["plain.kubevirt.io"], { headers: { authorization: `Bearer ${server?.token ?? ""}` }, rejectUnauthorized: false });
    let screen = "";
    serial.on("message", (d: Buffer) => (screen += d.toString("latin1")));
    await new Promise<void>((resolve, reject) => {
      serial.once("open", () => resolve());
      serial.once("error", reject);
    });
    const waited = run(server?.kubeconfig ?? "", ["-n", NS, "wait", "--for=condition=Ready", "vmi/tiny", "--timeout=60s"]);
    expect(waited.code, waited.stderr).toBe(0);
    const first = vmi();
    const uid = first?.metadata.uid ?? "";
    expect(first?.status?.nodeName).toBe("host-1");
    expect(first?.status?.interfaces?.[0]).toEqual(expect.objectContaining({ name: "default", mac: expect.stringMatching(/^52:54:00:/) }));
    const domain = (await domainOf(uid)) ?? "";
    expect(qemuPid(domain)).toBeGreaterThan(0);
    await until("the ready line and the disk on the serial console", () => serialLog(uid).includes(READY_LINE) && serialLog(uid).includes(DATA_DISK_MAGIC), BOOT_MS);
    console.log(`e2e libvirt: VM created → guest ready in ${Date.now() - t0} ms`);
    expect(serialLog(uid)).toMatch(new RegExp(`duraplane-disk vda bytes=1048576 head=${DATA_DISK_MAGIC}`));
    // The console session saw the guest say it is ready (unless it booted before the session opened), and answers a line.
    serial.send(Buffer.from("hello console\r"));
    await until("the guest's echo on the console", () => screen.includes(`${CONSOLE_ECHO_PREFIX} hello console`), 30_000);
    console.log(`e2e libvirt: console session saw the ready line: ${screen.includes(READY_LINE)}`);
    serial.close();

    expect(subresource("virtualmachineinstances/tiny/pause").code).toBe(0);
    await untilAsync("domain paused", async () => (await domState(domain)) === "paused (user)", 30_000);
    await until("VMI Paused", () => condition("Paused") === "True", 30_000);
    await until("VM Paused", () => vmStatus() === "Paused", 30_000);
    expect(subresource("virtualmachineinstances/tiny/unpause").code).toBe(0);
    await untilAsync("domain running again", async () => (await domState(domain)).startsWith("running"), 30_000);
    await until("VMI not Paused", () => condition("Paused") === undefined && vmStatus() === "Running", 30_000);

    process.kill(qemuPid(domain) ?? 0, "SIGKILL");
    await until("a new VMI Running after the crash", () => {
      const v = vmi();
      return v !== undefined && v.metadata.uid !== uid && v.status?.phase === "Running";
    }, BOOT_MS);
    const second = vmi()?.metadata.uid ?? "";
    await untilAsync("the old domain removed", async () => (await domainOf(uid)) === undefined, 60_000);
    const secondDomain = (await domainOf(second)) ?? "";
    await until("the new guest ready", () => serialLog(second).includes(READY_LINE), BOOT_MS);

    expect(subresource("virtualmachines/tiny/stop").code).toBe(0);
    await until("VM Stopped", () => vmStatus() === "Stopped", 90_000);
    expect(vmi()).toBeUndefined();
    await untilAsync("the domain undefined", async () => (await domainOf(second)) === undefined, 30_000);
    expect(secondDomain.startsWith(PREFIX)).toBe(true);
    // The stop was the guest's own ACPI power-off, as libvirt reported it.
    const log = readFileSync(hosts[0]?.log ?? "", "utf8");
    expect(log).toMatch(new RegExp(`vmi exited vmi=${NS}/tiny uid=${second} attempt=0 exitCode=0 reason=Shutdown`));
    expect(log).toMatch(new RegExp(`vmi exited vmi=${NS}/tiny uid=${uid} attempt=0 exitCode=1 reason=Crashed`));
    ok("-n", NS, "delete", "vm", "tiny");
  }, 8 * 60_000);
});
