/**
 * Real containers through the whole loop: a local server, one real
 * duraplane-agent with `--container-runtime containerd`, the real kubectl and
 * containerd/runc, running the busybox image `npm run images` imports. A pod
 * that prints and exits 0 → Succeeded with exit code 0; one that exits 1
 * under restartPolicy Always → restarts counted, CrashLoopBackOff, a growing
 * back-off; a long-running one with limits → the limits in its cgroup, and a
 * delete stops it within its grace period; `kubectl logs` (also --previous)
 * and `kubectl exec` reach the real containers through the node's tunnel;
 * an agent restart adopts the running container, and a container nobody
 * wants is stopped.
 * Runs when DURAPLANE_REAL_RUNTIMES=1 (then a missing containerd fails it) and
 * skips otherwise. Every container it makes is removed after.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalHost, runHost, startHosts, stopHosts } from "../../scripts/local-hosts.ts";
import { buildImages } from "../../scripts/images/build.ts";
import { BUSYBOX_REF } from "../../scripts/images/busybox.ts";
import { Ctr, containerdMissing } from "../../agent/runtime/ctr.ts";
import { LABELS } from "../../agent/runtime/containerd-containers.ts";
import { containersOfNode, removeContainer } from "../../agent/test-support/containerd.ts";
import { kubectl as run, kubectlOk, manifest, until } from "./kubectl.ts";
import { type LocalServer, startServer, stopServer } from "./server.ts";

const REAL = process.env.DURAPLANE_REAL_RUNTIMES === "1";
const NS = "e2e-containerd";
const HOST = "host-1";
const ctr = new Ctr({});

let server: LocalServer | undefined;
let hosts: LocalHost[] = [];
const ok = kubectlOk(() => server?.kubeconfig ?? "");

interface ContainerStatus {
  name: string;
  containerID?: string;
  restartCount: number;
  ready: boolean;
  state: { waiting?: { reason?: string }; running?: { startedAt: string }; terminated?: { exitCode: number; reason?: string } };
  lastState?: { terminated?: { exitCode: number; finishedAt?: string } };
}
interface PodJson { metadata: { uid: string }; status?: { phase?: string; containerStatuses?: ContainerStatus[] } }

function pod(name: string): PodJson | undefined {
  const r = run(server?.kubeconfig ?? "", ["-n", NS, "get", "pod", name, "-o", "json"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as PodJson) : undefined;
}
const status = (name: string): ContainerStatus | undefined => pod(name)?.status?.containerStatuses?.[0];

/** Our containers on this host. */
const containersOfHost = (): Promise<string[]> => containersOfNode(ctr, HOST);

/** The memory and CPU limits of a running container's cgroup (v1 or v2). */
function cgroupLimits(id: string): { memory: string; cpu: string } {
  const cg = `${ctr.namespace}/${id}`;
  if (existsSync(`/sys/fs/cgroup/memory/${cg}`)) {
    const read = (f: string) => readFileSync(f, "utf8").trim();
    return { memory: read(`/sys/fs/cgroup/memory/${cg}/memory.limit_in_bytes`), cpu: `${read(`/sys/fs/cgroup/cpu/${cg}/cpu.cfs_quota_us`)} ${read(`/sys/fs/cgroup/cpu/${cg}/cpu.cfs_period_us`)}` };
  }
  return { memory: readFileSync(`/sys/fs/cgroup/${cg}/memory.max`, "utf8").trim(), cpu: readFileSync(`/sys/fs/cgroup/${cg}/cpu.max`, "utf8").trim() };
}

const podYaml = (name: string, restartPolicy: string, command: string, extra = "") => manifest(`apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: ${restartPolicy}
  terminationGracePeriodSeconds: 3
  containers:
  - name: main
    image: ${BUSYBOX_REF}
    imagePullPolicy: Never
    command: ["sh", "-c", ${JSON.stringify(command)}]
${extra}`);

describe.skipIf(!REAL)("real containers under containerd, driven through the API", () => {
  beforeAll(async () => {
    const missing = await containerdMissing({});
    if (missing) throw new Error(`DURAPLANE_REAL_RUNTIMES=1 but containerd is not usable: ${missing}`);
    for (const id of await containersOfHost()) await removeContainer(ctr, id);
    await buildImages({ ctr, only: [BUSYBOX_REF] });
    server = await startServer({ hosts: 0 });
    hosts = await startHosts(server.url, server.token, server.state, 1, {
      runArgs: ["--heartbeat-interval-ms", "2000", "--container-runtime", "containerd", "--restart-backoff-ms", "1000"],
    });
    ok("create", "namespace", NS);
  }, 240_000);

  afterAll(async () => {
    await stopHosts(hosts);
    if (server) await stopServer(server);
    for (const id of await containersOfHost().catch(() => [])) await removeContainer(ctr, id);
  }, 60_000);

  it("runs a pod to Succeeded with exit code 0, and counts a crashing one's restarts with a growing back-off", async () => {
    ok("-n", NS, "apply", "-f", podYaml("job", "Never", "echo hello from busybox; exit 0"));
    ok("-n", NS, "apply", "-f", podYaml("crash", "Always", "echo boom; exit 1"));
    await until("job Succeeded", () => pod("job")?.status?.phase === "Succeeded", 60_000);
    expect(status("job")?.state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(status("job")?.containerID).toMatch(/^containerd:\/\//);
    // Its log, from the CRI-format file containerd's logger wrote, through the node's tunnel.
    expect(ok("-n", NS, "logs", "job")).toBe("hello from busybox\n");
    expect(ok("-n", NS, "logs", "job", "--timestamps")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z hello from busybox\n$/);

    // Restarts at 1 s, 2 s, 4 s … (the agent's --restart-backoff-ms doubling), CrashLoopBackOff between.
    const seenAt: number[] = [];
    let sawBackOff = false;
    await until("three restarts", () => {
      const s = status("crash");
      if (s?.state.waiting?.reason === "CrashLoopBackOff") sawBackOff = true;
      const count = s?.restartCount ?? 0;
      while (seenAt.length < count) seenAt.push(Date.now());
      return count >= 3;
    }, 90_000);
    expect(sawBackOff).toBe(true);
    expect(status("crash")?.lastState?.terminated?.exitCode).toBe(1);
    expect(ok("-n", NS, "logs", "crash", "--previous")).toBe("boom\n");
    expect(pod("crash")?.status?.phase).toBe("Running");
    const [first = 0, second = 0, third = 0] = seenAt;
    // Polling blurs each gap by up to a poll; the doubling still shows across two gaps.
    expect(third - second).toBeGreaterThan(second - first);
    ok("-n", NS, "delete", "pod", "job", "crash", "--wait=false");
  }, 180_000);

  it("puts limits in the container's cgroup and stops it within its grace period on delete", async () => {
    ok("-n", NS, "apply", "-f", podYaml("sleeper", "Always", "sleep 1000", `    resources:
      limits: {memory: 64Mi, cpu: 500m}
`));
    await until("sleeper Running", () => pod("sleeper")?.status?.phase === "Running", 60_000);
    const id = (status("sleeper")?.containerID ?? "").replace("containerd://", "");
    expect(cgroupLimits(id)).toEqual({ memory: String(64 * 1024 * 1024), cpu: "50000 100000" });
    // sleep as PID 1 ignores SIGTERM: killed when the 3 s grace period ends. The pod itself goes when
    // its deletionTimestamp passes, and that has whole seconds (RFC 3339, as upstream): 2–3 s after the delete.
    const t0 = Date.now();
    ok("-n", NS, "delete", "pod", "sleeper", "--wait=true", "--timeout=60s");
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(30_000);
    // The container itself is removed right after its pod is gone.
    const deadline = Date.now() + 30_000;
    while ((await containersOfHost()).includes(id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    expect(await containersOfHost()).not.toContain(id);
  }, 120_000);

  it("adopts its running container after an agent restart, and stops a container nobody wants", async () => {
    ok("-n", NS, "apply", "-f", podYaml("keeper", "Always", "sleep 1000"));
    await until("keeper Running", () => pod("keeper")?.status?.phase === "Running", 60_000);
    // exec into the real container: its output, and its exit code as kubectl's.
    expect(ok("-n", NS, "exec", "keeper", "--", "sh", "-c", "echo hi from $(hostname)")).toMatch(/^hi from \S+\n$/);
    const failed = run(server?.kubeconfig ?? "", ["-n", NS, "exec", "keeper", "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
    expect(failed).toMatchObject({ code: 3, stdout: "out\n" });
    expect(failed.stderr).toContain("err\n");
    const before = status("keeper");
    await stopHosts(hosts);
    // A container of this node that no pod wants (an agent crashed before removing it, say).
    await ctr.run(["run", "-d", "--label", `${LABELS.podUid}=00000000-0000-4000-8000-00000000dead`, "--label", `${LABELS.podName}=ghost`,
      "--label", `${LABELS.podNamespace}=${NS}`, "--label", `${LABELS.container}=main`, "--label", `${LABELS.node}=${HOST}`, "--label", `${LABELS.attempt}=0`,
      BUSYBOX_REF, "e2e-stray", "sleep", "1000"]);
    expect(await containersOfHost()).toContain("e2e-stray");
    hosts = [runHost(server?.state ?? "", HOST, ["--heartbeat-interval-ms", "2000", "--container-runtime", "containerd", "--restart-backoff-ms", "1000"])];
    let gone = false;
    const deadline = Date.now() + 60_000;
    while (!gone && Date.now() < deadline) {
      gone = !(await containersOfHost()).includes("e2e-stray");
      if (!gone) await new Promise((r) => setTimeout(r, 500));
    }
    expect(gone).toBe(true);
    const after = status("keeper");
    expect(after?.containerID).toBe(before?.containerID);
    expect(after?.restartCount).toBe(0);
    expect(after?.state.running?.startedAt).toBe(before?.state.running?.startedAt);
    expect(pod("keeper")?.status?.phase).toBe("Running");
  }, 120_000);
});
