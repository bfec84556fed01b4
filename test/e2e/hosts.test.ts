/**
 * The whole loop with real parts: a local server, three real duraplane-agent
 * processes (simulated runtime) that joined with join tokens, the scheduler,
 * the signed webhook and the real kubectl. VMs boot and get an IP; start /
 * stop / restart through `kubectl replace --raw` (virtctl's requests) show the
 * right STATUS at each step; a VMIRS spreads over the hosts; a killed agent's
 * node goes NotReady and its VMIs are replaced elsewhere; when it comes back
 * it stops the workloads it lost; a control-plane outage longer than the
 * node timeouts evicts nothing.
 */
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type LocalHost, runHost, startHosts, stopHosts } from "../../scripts/local-hosts.ts";
import { kubectl as run, kubectlOk, manifest, until } from "./kubectl.ts";
import { type LocalServer, startServer, stopServer } from "./server.ts";

const NS = "e2e-hosts";
/** Fast node lifecycle so a lost host is noticed within seconds. */
const GRACE_S = 6;
const EVICTION_S = 6;
/** Boot and stop take long enough for Starting and Stopping to be seen. */
const RUN_ARGS = ["--heartbeat-interval-ms", "2000", "--boot-delay-ms", "1500", "--stop-delay-ms", "1000"];

let server: LocalServer | undefined;
let hosts: LocalHost[] = [];
const ok = kubectlOk(() => server?.kubeconfig ?? "");
const empty = manifest("{}");

function vmRaw(vm: string, verb: string) {
  return run(server?.kubeconfig ?? "", ["replace", "--raw", `/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachines/${vm}/${verb}`, "-f", empty]);
}
const vmStatus = (vm: string) => ok("-n", NS, "get", "vm", vm, "-o", "jsonpath={.status.printableStatus}");
const statusIs = (vm: string, s: string) => () => vmStatus(vm) === s;

interface VMIView { name: string; uid: string; phase: string; node: string; ready: boolean }
function vmis(selector?: string): VMIView[] {
  const out = JSON.parse(ok("-n", NS, "get", "vmi", "-o", "json", ...(selector ? ["-l", selector] : []))) as {
    items: { metadata: { name: string; uid: string }; status?: { phase?: string; nodeName?: string; conditions?: { type: string; status: string }[] } }[];
  };
  return out.items.map((i) => ({
    name: i.metadata.name, uid: i.metadata.uid, phase: i.status?.phase ?? "", node: i.status?.nodeName ?? "",
    ready: (i.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
  }));
}

beforeAll(async () => {
  server = await startServer({ hosts: 0, nodeMonitorGracePeriod: GRACE_S, podEvictionTimeout: EVICTION_S });
  hosts = await startHosts(server.url, server.token, server.state, 3, { joinArgs: ["--cpu", "16", "--memory", "64Gi"], runArgs: RUN_ARGS });
  ok("create", "namespace", NS);
}, 180_000);

afterAll(async () => {
  await stopHosts(hosts);
  if (server) await stopServer(server);
});

describe("hosts, scheduling and the webhook with real agents", () => {
  it("the server does not restart when files of the project change under it", async () => {
    const srv = server;
    if (!srv) throw new Error("no server");
    // What wrangler dev's watcher restarted workerd for (a POST in flight then got 503 "Your worker
    // restarted mid-request", which broke the joins in CI): a touched package.json, tsconfig.json or
    // source file, a file appearing in a folder esbuild searched, state written under the project.
    // And what its config and assets watchers reload for: wrangler.toml, and any event in the
    // dashboard's build (a stop-20 CI run lost a namespace's reconcile to such a reload).
    const now = new Date();
    for (const f of ["package.json", "tsconfig.json", "workers/index.ts", "wrangler.toml", "ui/dist/.build-stamp", "ui/dist/ui/index.html"]) utimesSync(f, now, now);
    const scratch = join(".duraplane", `e2e-${process.pid}`);
    mkdirSync(scratch, { recursive: true });
    writeFileSync(join(scratch, "kubeconfig"), "x");
    mkdirSync(join(".wrangler", "tmp"), { recursive: true });
    writeFileSync(join(".wrangler", "tmp", "package.json"), "{}");
    try {
      writeFileSync(join(srv.state, "hosts", "touched"), "x");
      await new Promise((r) => setTimeout(r, 4000));
      expect(srv.logs()).not.toMatch(/Reloading local server/);
      ok("create", "namespace", `${NS}-after-touch`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      rmSync(join(".wrangler", "tmp", "package.json"), { force: true });
    }
  });

  it("joins three hosts as Ready Nodes that kubectl lists", async () => {
    await until("3 Ready nodes", () => (ok("get", "nodes").match(/^host-\d+\s+Ready\s/gm) ?? []).length === 3, 60_000);
    const node = JSON.parse(ok("get", "node", "host-1", "-o", "json")) as { status: { capacity: Record<string, string>; nodeInfo: { kubeletVersion: string } } };
    expect(node.status.capacity).toMatchObject({ cpu: "16", memory: "64Gi" });
    expect(node.status.nodeInfo.kubeletVersion).toMatch(/^duraplane-agent/);
    expect(ok("describe", "node", "host-1")).toMatch(/Ready\s+True/);
  }, 90_000);

  it("boots a VM to Running with Ready and an IP; stop, start and restart show each STATUS", async () => {
    ok("-n", NS, "apply", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: vm1}
spec:
  runStrategy: Manual
  template:
    spec:
      domain:
        devices: {}
        resources: {requests: {memory: 1Gi, cpu: "1"}}
`));
    await until("Stopped", statusIs("vm1", "Stopped"));
    expect(vmRaw("vm1", "start").code).toBe(0);
    await until("Starting", statusIs("vm1", "Starting"));
    const waited = run(server?.kubeconfig ?? "", ["-n", NS, "wait", "--for=condition=Ready", "vmi/vm1", "--timeout=60s"]);
    expect(waited.code, waited.stderr).toBe(0);
    await until("Running", statusIs("vm1", "Running"));
    const vmi = JSON.parse(ok("-n", NS, "get", "vmi", "vm1", "-o", "json")) as {
      metadata: { labels: Record<string, string> };
      status: { phase: string; nodeName: string; interfaces: { ipAddress: string }[]; guestOSInfo: { id: string } };
    };
    expect(vmi.status.phase).toBe("Running");
    expect(vmi.status.interfaces[0]?.ipAddress).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(vmi.status.nodeName).toMatch(/^host-\d$/);
    expect(vmi.metadata.labels["kubevirt.io/nodeName"]).toBe(vmi.status.nodeName);
    expect(vmi.status.guestOSInfo.id).toBeTruthy();
    expect(ok("-n", NS, "get", "vmi", "vm1")).toMatch(/^vm1\s+\S+\s+Running\s+10\.\d+\.\d+\.\d+\s+host-\d\s+True/m);

    const first = vmis()[0]?.uid;
    expect(vmRaw("vm1", "restart").code).toBe(0);
    await until("a new VMI Running", () => vmis().some((v) => v.uid !== first && v.phase === "Running"), 60_000);
    await until("Running after restart", statusIs("vm1", "Running"));

    expect(vmRaw("vm1", "stop").code).toBe(0);
    await until("Stopping", statusIs("vm1", "Stopping"));
    await until("Stopped", statusIs("vm1", "Stopped"), 60_000);
    expect(vmis()).toEqual([]);
    expect(vmRaw("vm1", "stop").stderr).toContain("VM is not running");
    ok("-n", NS, "delete", "vm", "vm1");
  }, 150_000);

  it("spreads a VMIRS of 20 over the three hosts", async () => {
    ok("-n", NS, "apply", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachineInstanceReplicaSet
metadata: {name: fleet}
spec:
  replicas: 20
  selector: {matchLabels: {app: fleet}}
  template:
    metadata: {labels: {app: fleet}}
    spec:
      domain:
        devices: {}
        resources: {requests: {memory: 1Gi}}
`));
    await until("20 ready", () => ok("-n", NS, "get", "vmirs", "fleet", "-o", "jsonpath={.status.readyReplicas}") === "20", 90_000);
    const byNode = new Map<string, number>();
    for (const v of vmis("app=fleet")) byNode.set(v.node, (byNode.get(v.node) ?? 0) + 1);
    expect([...byNode.keys()].sort()).toEqual(["host-1", "host-2", "host-3"]);
    // Least-allocated spreading: no host carries more than half of them.
    for (const n of byNode.values()) expect(n).toBeLessThanOrEqual(10);
  }, 120_000);

  it("replaces a lost host's VMIs elsewhere; the host, back, stops what it lost", async () => {
    const lost = hosts.find((h) => h.name === "host-1");
    if (!lost) throw new Error("no host-1");
    const onLost = vmis("app=fleet").filter((v) => v.node === "host-1").map((v) => v.uid);
    expect(onLost.length).toBeGreaterThan(0);
    // SIGSTOP: the agent goes silent mid-flight while its (simulated) VMs keep
    // running — a host cut off from the control plane, not one that crashed.
    lost.process.kill("SIGSTOP");
    try {
      await until("host-1 NotReady", () => /^host-1\s+NotReady\s/m.test(ok("get", "nodes")), 60_000);
      await until("host-1's VMIs replaced: 20 ready on the other hosts", () => {
        const live = vmis("app=fleet").filter((v) => v.ready && v.phase === "Running");
        return live.length === 20 && live.every((v) => v.node !== "host-1");
      }, 90_000);
      const all = JSON.parse(ok("-n", NS, "get", "vmi", "-o", "json")) as { items: { metadata: { uid: string }; status: { phase?: string; reason?: string } }[] };
      const stale = all.items.filter((i) => onLost.includes(i.metadata.uid));
      for (const item of stale) expect([item.status.phase, item.status.reason]).toEqual(["Failed", "NodeUnresponsive"]);
    } finally {
      lost.process.kill("SIGCONT");
    }
    // Back: Ready again, and it stops every VMI it was running that the control plane gave up on.
    await until("host-1 Ready again", () => /^host-1\s+Ready\s/m.test(ok("get", "nodes")), 60_000);
    await until("host-1 stopped each lost VMI", () => {
      const log = readFileSync(lost.log, "utf8");
      return onLost.every((uid) => new RegExp(`stopping vmi .*uid=${uid}`).test(log));
    }, 60_000);
    expect(vmis("app=fleet").filter((v) => v.ready && v.phase === "Running").length).toBe(20);
  }, 240_000);

  it("a killed agent's node goes NotReady and its VMIs are replaced; restarted, it rejoins with its stored credentials", async () => {
    const victim = hosts.find((h) => h.name === "host-2");
    if (!victim) throw new Error("no host-2");
    const onVictim = vmis("app=fleet").filter((v) => v.node === "host-2" && v.phase === "Running").map((v) => v.uid);
    expect(onVictim.length).toBeGreaterThan(0);
    victim.process.kill("SIGKILL");
    await until("host-2 NotReady", () => /^host-2\s+NotReady\s/m.test(ok("get", "nodes")), 60_000);
    await until("20 ready VMIs, none on host-2", () => {
      const live = vmis("app=fleet").filter((v) => v.ready && v.phase === "Running");
      return live.length === 20 && live.every((v) => v.node !== "host-2");
    }, 90_000);
    const back = runHost(server?.state ?? "", "host-2", RUN_ARGS);
    hosts = [...hosts.filter((h) => h !== victim), back];
    await until("host-2 Ready again", () => /^host-2\s+Ready\s/m.test(ok("get", "nodes")), 60_000);
    // Its VMs died with it; it must not start any of them again.
    await new Promise((r) => setTimeout(r, 3000));
    const log = readFileSync(back.log, "utf8").split("agent started").pop() ?? "";
    for (const uid of onVictim) expect(log).not.toMatch(new RegExp(`starting vmi .*uid=${uid}`));
    expect(vmis("app=fleet").filter((v) => v.ready && v.phase === "Running").length).toBe(20);
  }, 240_000);

  it("a control-plane outage longer than grace plus eviction costs no workload: agents resume, nothing is evicted, new VMIs boot", async () => {
    const before = server;
    if (!before) throw new Error("no server");
    await until("20 ready before the outage", () => vmis("app=fleet").filter((v) => v.ready && v.phase === "Running").length === 20, 60_000);
    const fleet = vmis("app=fleet").filter((v) => v.ready && v.phase === "Running").map((v) => v.uid).sort();
    before.process.removeAllListeners("exit");
    await stopServer(before);
    // Down for longer than grace plus eviction: every heartbeat is past both deadlines when it comes back.
    await new Promise((r) => setTimeout(r, (GRACE_S + EVICTION_S + 3) * 1000));
    server = await startServer({ port: before.port, state: before.state, hosts: 0, nodeMonitorGracePeriod: GRACE_S, podEvictionTimeout: EVICTION_S });
    await until("3 Ready nodes after the restart", () => (ok("get", "nodes").match(/^host-\d+\s+Ready\s/gm) ?? []).length === 3, 60_000);
    ok("-n", NS, "create", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: after-restart}
spec:
  domain:
    devices: {}
    resources: {requests: {memory: 1Gi}}
`));
    // Generous: on a loaded 2-core machine the restarted server is still warming its stores and queue.
    const waited = run(server.kubeconfig, ["-n", NS, "wait", "--for=condition=Ready", "vmi/after-restart", "--timeout=120s"]);
    const seen = run(server.kubeconfig, ["-n", NS, "get", "vmi", "after-restart", "-o", "yaml"]);
    expect(waited.code, `kubectl wait (${waited.code}): ${waited.stdout}${waited.stderr}\n${seen.stdout}${seen.stderr}\nserver log:\n${server.logs().slice(-4000)}`).toBe(0);
    // The agents' tunnels came back with the control plane: a console opened now reaches the new VMI.
    // The webhook resumes at once, the tunnel after its reconnect back-off (up to 10 s after a long
    // outage); until then the console answers 503 with Retry-After, and a user opens it again.
    const restarted = server;
    const openConsole = () => new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`${restarted.url.replace("https", "wss")}/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/after-restart/console`,
        ["plain.kubevirt.io"], { headers: { authorization: `Bearer ${restarted.token}` }, rejectUnauthorized: false });
      let text = "";
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no login prompt on the console after the restart; got ${JSON.stringify(text)}`));
      }, 30_000);
      ws.on("message", (d: Buffer) => {
        text += d.toString();
        if (!text.includes("login: ")) return;
        clearTimeout(timer);
        ws.close();
        resolve(text);
      });
      ws.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const tunnelDeadline = Date.now() + 30_000;
    let screen = "";
    for (;;) {
      try {
        screen = await openConsole();
        break;
      } catch (err) {
        if (!String(err).includes("Unexpected server response: 503") || Date.now() > tunnelDeadline) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    expect(screen).toContain("after-restart login: ");
    // Another full grace plus eviction later, the same twenty VMIs run: the silence the control plane
    // did not witness was not held against the hosts (before the fix, all twenty went NodeUnresponsive).
    await new Promise((r) => setTimeout(r, (GRACE_S + EVICTION_S) * 1000));
    const after = vmis("app=fleet");
    expect(after.filter((v) => v.phase === "Failed").map((v) => v.uid).filter((uid) => fleet.includes(uid))).toEqual([]);
    expect(after.filter((v) => v.ready && v.phase === "Running").map((v) => v.uid).sort()).toEqual(fleet);
    expect(vmis().find((v) => v.name === "after-restart")).toMatchObject({ phase: "Running", ready: true });
  }, 320_000);
});
