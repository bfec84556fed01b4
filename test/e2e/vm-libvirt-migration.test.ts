/**
 * Live migration of a real VM through the whole loop: a local server, two
 * real duraplane-agent processes with `--vm-runtime libvirt` — host-1 on the
 * system libvirtd, host-2 on a second libvirtd that scripts/libvirt-peer.sh
 * starts in its own mount namespace, listening on 127.0.0.1 over TCP — and
 * the real kubectl. A VM boots the tiny VM on host-1; `kubectl create` of a
 * VirtualMachineInstanceMigration moves it to host-2: the migration
 * Succeeds, the VMI keeps its uid and phase Running and switches nodeName,
 * the guest answers on its serial console through the API without having
 * booted again, its domain runs on the second daemon and is gone from the
 * first. Runs when DURAPLANE_REAL_RUNTIMES=1 (then a daemon that cannot
 * start fails it) and skips otherwise. The second daemon and everything on
 * it go in afterAll (or with this process, by the script's watcher); host-1's
 * domains are swept by name.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { joinHost, type LocalHost, runHost, stopHosts } from "../../scripts/local-hosts.ts";
import { DATA_DISK_REF, TINY_VM_REF } from "../../scripts/images/vm-guest.ts";
import { CONSOLE_ECHO_PREFIX, READY_LINE } from "../../scripts/images/vm-guest-init.ts";
import { requireLibvirt, sweepDomains } from "../../agent/test-support/libvirt.ts";
import { vmTestImages } from "../../agent/test-support/vm-images.ts";
import { domainPrefixFor } from "../../agent/commands/vm-runtime.ts";
import { Virsh } from "../../agent/runtime/virsh.ts";
import { kubectl as run, kubectlOk, manifest, until } from "./kubectl.ts";
import { freePort, type LocalServer, startServer, stopServer } from "./server.ts";
import { tempDir } from "./temp-dir.ts";

const REAL = process.env.DURAPLANE_REAL_RUNTIMES === "1";
const NS = "e2e-libvirt-migration";
const PEER_SCRIPT = new URL("../../scripts/libvirt-peer.sh", import.meta.url).pathname;
const BOOT_MS = 120_000;

let server: LocalServer | undefined;
let hosts: LocalHost[] = [];
const runDirs: string[] = [];
let peerDir = "";
let peerVirsh: Virsh | undefined;
const virshA = new Virsh({ uri: "qemu:///system" });
const ok = kubectlOk(() => server?.kubeconfig ?? "");

interface VMIJson {
  metadata: { uid: string };
  status?: { phase?: string; nodeName?: string; migrationState?: { completed?: boolean; failed?: boolean; sourceNode?: string; targetNode?: string } };
}
const vmi = (): VMIJson | undefined => {
  const r = run(server?.kubeconfig ?? "", ["-n", NS, "get", "vmi", "mover", "-o", "json"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as VMIJson) : undefined;
};
const serialLog = (dir: string, uid: string): string => {
  try {
    return readFileSync(join(dir, uid, "serial.log"), "latin1");
  } catch {
    return "";
  }
};
const names = async (virsh: Virsh, all: boolean): Promise<string[]> =>
  (await virsh.run(["list", "--name", ...(all ? ["--all"] : [])])).split("\n").map((n) => n.trim()).filter((n) => n !== "");

function peerDown(): void {
  if (!peerDir) return;
  try {
    execFileSync("bash", [PEER_SCRIPT, "down", peerDir], { stdio: "pipe", timeout: 60_000 });
  } catch (err) {
    console.error(`libvirt-peer down failed: ${String(err)}`);
  }
}

describe.skipIf(!REAL)("live migration of a real VM between two libvirt daemons, driven through the API", () => {
  beforeAll(async () => {
    await requireLibvirt(virshA);
    await sweepDomains(virshA, domainPrefixFor("host-1"));
    const port = await freePort();
    peerDir = `/run/duraplane-libvirt-peer-e2e-${process.pid}`;
    const [peerUri] = execFileSync("bash", [PEER_SCRIPT, "up", peerDir, String(port), String(process.pid)], { encoding: "utf8", timeout: 60_000 }).trim().split("\n");
    peerVirsh = new Virsh({ uri: peerUri ?? "" });
    const images = await vmTestImages();
    for (const name of ["a", "b"]) {
      const dir = tempDir(`duraplane-e2e-mig-${name}-`);
      chmodSync(dir, 0o755); // QEMU runs as its own user
      runDirs.push(dir);
    }
    server = await startServer({ hosts: 0 });
    const common = ["--heartbeat-interval-ms", "2000", "--vm-runtime", "libvirt", "--image-dir", images.root];
    const s = server;
    await Promise.all(["host-1", "host-2"].map((n) => joinHost(s.url, s.token, s.state, n, ["--cpu", "4", "--memory", "8Gi"])));
    hosts = [
      runHost(s.state, "host-1", [...common, "--vm-run-dir", runDirs[0] ?? ""]),
      runHost(s.state, "host-2", [...common, "--vm-run-dir", runDirs[1] ?? "", "--libvirt-uri", peerUri ?? "", "--migration-address", `127.0.0.1:${port}`]),
    ];
    await until("both hosts Ready", () => ["host-1", "host-2"].every((n) =>
      run(s.kubeconfig, ["get", "node", n, "-o", "jsonpath={.status.conditions[?(@.type=='Ready')].status}"]).stdout === "True"), 60_000);
    ok("create", "namespace", NS);
  }, 240_000);

  afterAll(async () => {
    await stopHosts(hosts);
    if (server) await stopServer(server);
    await sweepDomains(virshA, domainPrefixFor("host-1")).catch(() => []);
    peerDown();
  }, 120_000);

  it("moves the running guest to the other daemon: migration Succeeded, same VMI, console answers, no second boot", async () => {
    // On host-1 first: host-2 is cordoned until the VM runs.
    ok("cordon", "host-2");
    ok("-n", NS, "apply", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: mover}
spec:
  runStrategy: Always
  template:
    spec:
      terminationGracePeriodSeconds: 10
      domain:
        memory: {guest: 128Mi}
        resources: {requests: {memory: 128Mi, cpu: "1"}}
        firmware:
          kernelBoot:
            kernelArgs: quiet
            container: {image: "${TINY_VM_REF}", kernelPath: /boot/vmlinuz, initrdPath: /boot/initrd.gz}
        devices:
          autoattachGraphicsDevice: false
          disks: [{name: data, disk: {bus: virtio}}]
      volumes: [{name: data, containerDisk: {image: "${DATA_DISK_REF}"}}]
`));
    await until("VMI Running on host-1", () => vmi()?.status?.phase === "Running" && vmi()?.status?.nodeName === "host-1", BOOT_MS);
    const uid = vmi()?.metadata.uid ?? "";
    await until("the guest's ready line", () => serialLog(runDirs[0] ?? "", uid).includes(READY_LINE), BOOT_MS);
    await until("LiveMigratable", () => ok("-n", NS, "get", "vmi", "mover", "-o", "jsonpath={.status.conditions[?(@.type=='LiveMigratable')].status}") === "True");
    ok("uncordon", "host-2");
    const domainA = (await names(virshA, false)).find((n) => n.startsWith(domainPrefixFor("host-1")) && n.endsWith(uid.slice(0, 8))) ?? "";
    expect(domainA).not.toBe("");
    // The domain's UUID (the VMI's firmware.uuid, which the VM controller sets) travels with the guest.
    const domainUuid = (await virshA.run(["domuuid", domainA])).trim();

    const t0 = Date.now();
    ok("-n", NS, "create", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachineInstanceMigration
metadata: {name: move}
spec: {vmiName: mover}
`));
    const phases = new Set<string>();
    await until("the migration Succeeded", () => {
      const phase = ok("-n", NS, "get", "vmim", "move", "-o", "jsonpath={.status.phase}");
      phases.add(vmi()?.status?.phase ?? "gone");
      if (phase === "Failed") throw new Error(`migration failed: ${ok("-n", NS, "get", "vmi", "mover", "-o", "jsonpath={.status.migrationState}")}`);
      return phase === "Succeeded";
    }, 180_000);
    console.log(`e2e libvirt migration: created → Succeeded in ${Date.now() - t0} ms`);
    const after = vmi();
    expect(after?.metadata.uid).toBe(uid);
    expect(after?.status?.nodeName).toBe("host-2");
    expect(after?.status?.migrationState).toEqual(expect.objectContaining({ completed: true, sourceNode: "host-1", targetNode: "host-2" }));
    expect([...phases]).toEqual(["Running"]);

    // The guest runs on the second daemon, from host-2's files, and is gone from the first.
    const domainB = (await names(peerVirsh ?? virshA, false)).find((n) => n.startsWith(domainPrefixFor("host-2")));
    expect(domainB).toBeDefined();
    expect((await peerVirsh?.run(["domuuid", domainB ?? ""]))?.trim()).toBe(domainUuid);
    const deadline = Date.now() + 60_000;
    while ((await names(virshA, true)).includes(domainA) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    expect(await names(virshA, true)).not.toContain(domainA);

    // Its console through the API reaches host-2's domain, and the guest there never booted again.
    const serial = new WebSocket(`${server?.url.replace("https", "wss") ?? ""}/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/mover/console`,
      ["plain.kubevirt.io"], { headers: { authorization: `Bearer ${server?.token ?? ""}` }, rejectUnauthorized: false });
    let screen = "";
    serial.on("message", (d: Buffer) => (screen += d.toString("latin1")));
    await new Promise<void>((resolve, reject) => {
      serial.once("open", () => resolve());
      serial.once("error", reject);
    });
    serial.send(Buffer.from("after migration\r"));
    await until("the guest's echo on host-2", () => screen.includes(`${CONSOLE_ECHO_PREFIX} after migration`), 30_000);
    serial.close();
    expect(serialLog(runDirs[1] ?? "", uid)).toContain(`${CONSOLE_ECHO_PREFIX} after migration`);
    expect(serialLog(runDirs[1] ?? "", uid)).not.toContain(READY_LINE);
    expect(vmi()?.status?.phase).toBe("Running");

    ok("-n", NS, "delete", "vm", "mover");
    await until("the VMI gone", () => vmi() === undefined, 60_000);
    expect(await names(peerVirsh ?? virshA, true)).toEqual([]);
  }, 8 * 60_000);
});
