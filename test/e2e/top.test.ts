/**
 * `kubectl top` with the real /usr/bin/kubectl: two simulated hosts joined to
 * the shared server send their usage with every heartbeat, and `kubectl top
 * nodes`, `kubectl top pods -A`, `-l` and `--containers` print them with
 * non-zero CPU and memory; a VMI's usage is readable through
 * metrics.k8s.io's virtualmachineinstances; a stopped host's node drops out.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { joinHost, type LocalHost, runHost, stopHosts } from "../../scripts/local-hosts.ts";
import { kubectl as run, kubectlOk, manifest, until } from "./kubectl.ts";
import { releaseHosts } from "./shared-server-hosts.ts";

const server = inject("server");
const ok = kubectlOk(() => server.kubeconfig);
const NS = "e2e-top";
/** Host names no other test uses. */
const HOSTS = ["top-host-1", "top-host-2"];
/** Heartbeats (and usage samples) every second: a rate needs two. */
const RUN_ARGS = ["--heartbeat-interval-ms", "1000", "--boot-delay-ms", "200", "--stop-delay-ms", "200"];

let hosts: LocalHost[] = [];

const PODS = `
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - {name: nginx, image: "nginx:1.27", resources: {requests: {cpu: 500m, memory: 256Mi}}}
  - {name: sidecar, image: "busybox:1.36"}
---
apiVersion: v1
kind: Pod
metadata: {name: db, labels: {app: db}}
spec:
  containers:
  - {name: postgres, image: "postgres:17", resources: {requests: {cpu: "1", memory: 1Gi}}}
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: vm1}
spec:
  domain:
    devices: {}
    cpu: {cores: 2}
    resources: {requests: {memory: 512Mi}}
`;

/** Rows of a `kubectl top` table, by their first column (the second with -A). */
function rows(out: string): string[][] {
  return out.trim().split("\n").slice(1).map((line) => line.trim().split(/\s+/));
}

/** `123m` → 123; `<unknown>` → NaN. */
const millicores = (s: string | undefined): number => Number(/^(\d+)m$/.exec(s ?? "")?.[1] ?? NaN);
/** `45Mi` → 45. */
const mebibytes = (s: string | undefined): number => Number(/^(\d+)Mi$/.exec(s ?? "")?.[1] ?? NaN);

beforeAll(async () => {
  for (const name of HOSTS) await joinHost(server.url, server.token, server.state, name, ["--cpu", "8", "--memory", "16Gi"]);
  hosts = HOSTS.map((name) => runHost(server.state, name, RUN_ARGS));
  await until("both hosts Ready", () => {
    const out = ok("get", "nodes", ...HOSTS, "--no-headers");
    return out.split("\n").filter((l) => / Ready /.test(l)).length === HOSTS.length;
  }, 90_000);
  ok("create", "namespace", NS);
  ok("-n", NS, "apply", "-f", manifest(PODS));
  await until("pods Running and the VMI Running", () => {
    const pods = ok("-n", NS, "get", "pods", "-o", "jsonpath={.items[*].status.phase}").split(" ");
    const vmi = ok("-n", NS, "get", "vmi", "vm1", "-o", "jsonpath={.status.phase}");
    return pods.length === 2 && pods.every((p) => p === "Running") && vmi === "Running";
  }, 90_000);
}, 180_000);

afterAll(async () => {
  await releaseHosts(server.kubeconfig, NS, hosts, HOSTS);
}, 60_000);

describe("kubectl top", () => {
  it("top nodes prints each host with its CPU and memory use and percentages of its allocatable", async () => {
    let out = "";
    await until("both hosts in kubectl top nodes", () => {
      // Before the first samples kubectl says "metrics not available yet" and exits 1: wait on, as for pods.
      out = run(server.kubeconfig, ["top", "nodes"]).stdout;
      const mine = rows(out).filter((r) => HOSTS.includes(r[0] ?? ""));
      return mine.length === HOSTS.length && mine.every((r) => millicores(r[1]) > 0);
    }, 60_000);
    expect(out).toMatch(/^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/);
    for (const r of rows(out).filter((row) => HOSTS.includes(row[0] ?? ""))) {
      // The simulated host's base alone is 50m and 256Mi; percentages are of 8 CPUs and 16Gi.
      expect(millicores(r[1])).toBeGreaterThanOrEqual(50);
      expect(r[2]).toMatch(/^\d+%$/);
      expect(mebibytes(r[3])).toBeGreaterThanOrEqual(256);
      expect(r[4]).toMatch(/^\d+%$/);
    }
    // One node by name, and a label selector.
    expect(rows(ok("top", "node", "top-host-1"))[0]?.[0]).toBe("top-host-1");
    const labelled = rows(ok("top", "nodes", "-l", "kubernetes.io/hostname=top-host-2")).map((r) => r[0]);
    expect(labelled).toEqual(["top-host-2"]);
  }, 90_000);

  it("top pods -A, -l and --containers print the pods with non-zero usage", async () => {
    let out = "";
    await until("both pods in kubectl top pods -A", () => {
      const r = run(server.kubeconfig, ["top", "pods", "-A"]);
      out = r.stdout;
      return rows(out).filter((row) => row[0] === NS && millicores(row[2]) > 0 && mebibytes(row[3]) > 0).length === 2;
    }, 60_000);
    expect(out).toMatch(/^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    const mine = Object.fromEntries(rows(out).filter((r) => r[0] === NS).map((r) => [r[1], r]));
    // web asked for 500m and 256Mi, db for 1 CPU and 1Gi: each uses a share of it, db more memory than web.
    expect(millicores(mine.web?.[2])).toBeLessThan(500);
    expect(mebibytes(mine.db?.[3])).toBeGreaterThan(mebibytes(mine.web?.[3]));
    // The VMI is not a pod.
    expect(Object.keys(mine).sort()).toEqual(["db", "web"]);

    const web = rows(ok("-n", NS, "top", "pods", "-l", "app=web"));
    expect(web.map((r) => r[0])).toEqual(["web"]);
    const containers = rows(ok("-n", NS, "top", "pod", "web", "--containers"));
    expect(containers.map((r) => r[1]).sort()).toEqual(["nginx", "sidecar"]);
    for (const r of containers) expect(millicores(r[2])).toBeGreaterThan(0);
  }, 90_000);

  it("VMI usage is served as metrics.k8s.io virtualmachineinstances", async () => {
    type VMIMetrics = { kind: string; usage: { cpu: string; memory: string }; window: string };
    const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/virtualmachineinstances/vm1`;
    // A rate needs two samples after the VMI runs: it may come a heartbeat after the pods' (seen in CI).
    let got: VMIMetrics | undefined;
    await until("vm1's usage", () => {
      const r = run(server.kubeconfig, ["get", "--raw", path]);
      if (r.code === 0) got = JSON.parse(r.stdout) as VMIMetrics;
      return r.code === 0;
    }, 60_000);
    if (!got) throw new Error("no usage for vm1");
    expect(got.kind).toBe("VirtualMachineInstanceMetrics");
    expect(Number(/^(\d+)n$/.exec(got.usage.cpu)?.[1])).toBeGreaterThan(0);
    // 30–60 % of its 512Mi guest, give or take the swing.
    expect(Number(/^(\d+)Ki$/.exec(got.usage.memory)?.[1])).toBeGreaterThan(100 * 1024);
  }, 90_000);

  it("a host that stops reporting drops out of kubectl top nodes within a few windows", async () => {
    const [first, ...rest] = hosts;
    if (first) await stopHosts([first]);
    hosts = rest;
    await until("top-host-1 gone from kubectl top nodes", () => {
      const listed = rows(ok("top", "nodes")).filter((r) => r[0] === "top-host-1");
      // kubectl lists a node without metrics as <unknown>, or not at all.
      return listed.every((r) => r[1] === "<unknown>");
    }, 30_000);
    expect(run(server.kubeconfig, ["top", "node", "top-host-1"]).stderr).toMatch(/not found|Metrics not available/i);
  }, 60_000);
});
