/**
 * The containerd pod adapter against the real daemon (DURAPLANE_REAL_RUNTIMES=1;
 * CI sets it, and then a missing daemon fails these tests). Each file works in
 * its own test namespace, swept in afterAll.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ReportItem, ReportItemSchema } from "../../shared/hosts/report.ts";
import { busyboxImage } from "../../scripts/images/busybox.ts";
import { buildImages } from "../../scripts/images/build.ts";
import { tempDir } from "../../test/e2e/temp-dir.ts";
import { HostLoop } from "../host.ts";
import { podDriver } from "../kinds/pod.ts";
import { memoryLogger } from "../log.ts";
import { type ApiObject, asApiObject } from "../objects.ts";
import { Sequence } from "../sequence.ts";
import { containerIds, REAL_RUNTIMES, sweepNamespace, testCtr } from "../test-support/containerd.ts";
import { until } from "../test-support/http-server.ts";
import type { Workload } from "./adapter.ts";
import { parseLogLine } from "./container-logs.ts";
import { type ContainerdRuntime, containerdRuntime } from "./containerd-containers.ts";
import { ContainerdImageStore } from "./containerd-images.ts";
import type { PodRuntimeSpec } from "./containers.ts";
import type { Ctr } from "./ctr.ts";

const IMAGE = busyboxImage.ref;
let seq = 0;

/** A pod object whose containers run busybox. */
function podObject(name: string, containers: Record<string, unknown>[], spec: Record<string, unknown> = {}): ApiObject {
  const o = asApiObject({
    metadata: { name, namespace: "default", uid: `uid-${name}-${process.pid}-${++seq}`, resourceVersion: "1" },
    spec: { nodeName: "n1", containers: containers.map((c) => ({ image: IMAGE, imagePullPolicy: "Never", ...c })), ...spec },
    status: { phase: "Pending" },
  });
  if (!o) throw new Error("bad fixture");
  return o;
}

function workloadOf(o: ApiObject): Workload<PodRuntimeSpec> {
  return podDriver({} as never).workload(o);
}

type PodStatus = Extract<ReportItem, { kind: "Pod" }>["status"];

describe.skipIf(!REAL_RUNTIMES)("containerd pod adapter", () => {
  let ctr: Ctr;
  let stateDir: string;
  const runtimes: ContainerdRuntime[] = [];
  const log = memoryLogger();

  async function runtime(nodeName = "n1"): Promise<ContainerdRuntime> {
    const rt = await containerdRuntime({
      ctr, images: new ContainerdImageStore(ctr, `${stateDir}/images`), stateDir, nodeName, hostIP: "127.0.0.1", log, relistMs: 500,
    });
    runtimes.push(rt);
    return rt;
  }

  beforeAll(async () => {
    ctr = await testCtr();
    stateDir = tempDir("containerd-agent");
    await buildImages({ ctr, recipes: [busyboxImage] });
  }, 60_000);

  // Each adapter relists every 500 ms: close a test's adapters when it ends.
  afterEach(async () => {
    for (const rt of runtimes.splice(0)) await rt.close();
  });

  afterAll(async () => {
    if (ctr) await sweepNamespace(ctr);
  }, 60_000);

  it("a container that prints and exits 0 ends exited 0, its lines in a CRI-format log file; env from fieldRef", async () => {
    const rt = await runtime();
    const pod = podObject("hello", [{
      name: "app", command: ["sh", "-c"], args: ["echo hello from $(POD_NAME) on $NODE; echo to-stderr >&2"],
      env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
    }], { restartPolicy: "Never" });
    const started = Date.now();
    await rt.start(workloadOf(pod));
    const running = await until(() => rt.observe(pod.metadata.uid)?.detail.containers[0]?.containerID, 30_000, "a container id");
    const startMs = Date.now() - started;
    const o = await until(() => { const x = rt.observe(pod.metadata.uid); return x?.state.phase === "exited" ? x : undefined; }, 30_000, "the exit");
    expect(o.state).toMatchObject({ phase: "exited", exitCode: 0, reason: "Completed", requested: false });
    expect(o.detail.containers[0]).toMatchObject({ restartCount: 0, imageID: expect.stringMatching(/^localhost\/duraplane\/busybox@sha256:/), containerID: running });
    const file = rt.logPath(pod.metadata.uid, "app");
    expect(file).toBeDefined();
    const lines = await until(() => {
      const text = existsSync(file ?? "") ? readFileSync(file ?? "", "utf8").trim().split("\n").map(parseLogLine) : [];
      return lines2(text);
    }, 5000, "both log lines");
    expect(lines.out?.text).toBe("hello from hello on n1");
    expect(lines.err?.text).toBe("to-stderr");
    expect(lines.out?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    process.stdout.write(`container start latency (start → containerID): ${startMs} ms\n`);
    await rt.remove(pod.metadata.uid);
    expect(await containerIds(ctr)).toEqual([]);
  }, 60_000);

  function lines2(parsed: (ReturnType<typeof parseLogLine>)[]) {
    const out = parsed.find((l) => l?.stream === "stdout");
    const err = parsed.find((l) => l?.stream === "stderr");
    return out && err ? { out, err } : undefined;
  }

  it("exit 1 under restartPolicy Always, through the host loop: restarts counted, CrashLoopBackOff, growing back-off", async () => {
    const rt = await runtime();
    const items: ReportItem[] = [];
    const loopLog = memoryLogger();
    const loop = new HostLoop(podDriver(rt), {
      hostIP: "127.0.0.1", sequence: new Sequence(), reporter: { enqueue: (i) => items.push(i) }, log: loopLog,
      restartBackoff: { initialMs: 500, maxMs: 4000, jitter: 0 },
    });
    const pod = podObject("crash", [{ name: "app", command: ["sh", "-c", "echo crashing; exit 1"] }]);
    loop.apply("ADDED", pod);
    const status = (i: ReportItem) => i.status as PodStatus;
    await until(() => items.some((i) => i.uid === pod.metadata.uid && Number(status(i).containerStatuses?.[0]?.restartCount ?? 0) >= 2), 60_000, "two restarts");
    const crashLoop = items.map(status).find((s) => {
      const w = s.containerStatuses?.[0]?.state as { waiting?: { reason?: string } } | undefined;
      return w?.waiting?.reason === "CrashLoopBackOff";
    });
    expect(crashLoop?.containerStatuses?.[0]?.lastState).toMatchObject({ terminated: { exitCode: 1, reason: "Error" } });
    expect(crashLoop?.phase).toBe("Running");
    const delays = loopLog.lines.filter((l) => l.includes("back-off restarting pod")).map((l) => Number(/delayMs=(\d+)/.exec(l)?.[1]));
    expect(delays.slice(0, 2)).toEqual([500, 1000]);
    for (const i of items) ReportItemSchema.parse(i);
    loop.apply("DELETED", pod);
    await until(() => loop.size === 0, 30_000, "the pod forgotten");
    await loop.idle();
    loop.close();
    expect(await containerIds(ctr)).toEqual([]);
  }, 90_000);

  it("a container ignoring SIGTERM is killed at the end of its grace period", async () => {
    const rt = await runtime();
    // busybox sleep as PID 1 has no SIGTERM handler, so the kernel ignores the signal.
    const pod = podObject("sleeper", [{ name: "app", command: ["sleep", "1000"] }]);
    await rt.start(workloadOf(pod));
    await until(() => rt.observe(pod.metadata.uid)?.state.phase === "running", 30_000, "running");
    const t = Date.now();
    await rt.stop(pod.metadata.uid, 2);
    const took = Date.now() - t;
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(6000);
    expect(rt.observe(pod.metadata.uid)?.state).toMatchObject({ phase: "exited", exitCode: 137, reason: "Error", requested: true });
    await rt.remove(pod.metadata.uid);
  }, 60_000);

  it("resources.limits become the container's cgroup limits (memory, CFS quota)", async () => {
    const rt = await runtime();
    const pod = podObject("limited", [{ name: "app", command: ["sleep", "1000"], resources: { limits: { memory: "64Mi", cpu: "500m" } } }]);
    await rt.start(workloadOf(pod));
    await until(() => rt.observe(pod.metadata.uid)?.state.phase === "running", 30_000, "running");
    const id = rt.containerIdOf(pod.metadata.uid, "app") ?? "";
    const cg = `${ctr.namespace}/${id}`;
    if (existsSync(`/sys/fs/cgroup/memory/${cg}`)) {
      expect(readFileSync(`/sys/fs/cgroup/memory/${cg}/memory.limit_in_bytes`, "utf8").trim()).toBe(String(64 * 1024 * 1024));
      expect(readFileSync(`/sys/fs/cgroup/cpu/${cg}/cpu.cfs_quota_us`, "utf8").trim()).toBe("50000");
      expect(readFileSync(`/sys/fs/cgroup/cpu/${cg}/cpu.cfs_period_us`, "utf8").trim()).toBe("100000");
    } else {
      expect(readFileSync(`/sys/fs/cgroup/${cg}/memory.max`, "utf8").trim()).toBe(String(64 * 1024 * 1024));
      expect(readFileSync(`/sys/fs/cgroup/${cg}/cpu.max`, "utf8").trim()).toBe("50000 100000");
    }
    await rt.stop(pod.metadata.uid, 0);
    await rt.remove(pod.metadata.uid);
  }, 60_000);

  it("an exec readiness probe flips ready; a failing liveness probe kills the container", async () => {
    const rt = await runtime();
    const pod = podObject("probed", [{
      name: "app", command: ["sh", "-c", "sleep 2; touch /tmp/ready; sleep 1000"],
      readinessProbe: { exec: { command: ["cat", "/tmp/ready"] }, periodSeconds: 1 },
    }, {
      name: "doomed", command: ["sleep", "1000"],
      livenessProbe: { exec: { command: ["false"] }, periodSeconds: 1, failureThreshold: 2 },
    }], { terminationGracePeriodSeconds: 1 });
    await rt.start(workloadOf(pod));
    const app = () => rt.observe(pod.metadata.uid)?.detail.containers.find((c) => c.name === "app");
    await until(() => app()?.state.phase === "running", 30_000, "running");
    expect(app()?.ready).toBe(false);
    await until(() => app()?.ready === true, 30_000, "ready");
    const doomed = await until(() => {
      const c = rt.observe(pod.metadata.uid)?.detail.containers.find((x) => x.name === "doomed");
      return c?.state.phase === "exited" ? c.state : undefined;
    }, 30_000, "the liveness kill");
    expect(doomed).toMatchObject({ requested: false, exitCode: 137, message: "Container doomed failed liveness probe, will be restarted" });
    // restartPolicy Always: the pod-level state asks the host loop to restart it.
    expect(rt.observe(pod.metadata.uid)?.state.phase).toBe("exited");
    await rt.stop(pod.metadata.uid, 0);
    await rt.remove(pod.metadata.uid);
  }, 60_000);

  it("a new adapter adopts a running container by its labels; exits seen by neither are collected", async () => {
    const first = await runtime();
    const pod = podObject("adopted", [{ name: "app", command: ["sleep", "1000"] }, { name: "short", command: ["sh", "-c", "sleep 2; exit 3"] }], { restartPolicy: "Never" });
    await first.start(workloadOf(pod));
    await until(() => first.observe(pod.metadata.uid)?.detail.containers.every((c) => c.state.phase === "running"), 30_000, "running");
    const startedAt = first.observe(pod.metadata.uid)?.detail.containers[0]?.state;
    await first.close();
    // An agent of another node on the same containerd (npm start --runtime real) leaves it alone.
    const neighbour = await runtime("n2");
    expect(neighbour.list().find((o) => o.uid === pod.metadata.uid)).toBeUndefined();
    await neighbour.close();
    const second = await runtime();
    const adopted = second.list().find((o) => o.uid === pod.metadata.uid);
    expect(adopted?.detail.containers.find((c) => c.name === "app")?.state).toEqual(startedAt);
    const short = await until(() => {
      const c = second.observe(pod.metadata.uid)?.detail.containers.find((x) => x.name === "short");
      return c?.state.phase === "exited" ? c.state : undefined;
    }, 30_000, "the short one's exit");
    expect(short).toMatchObject({ exitCode: 3, reason: "Error" });
    await second.stop(pod.metadata.uid, 0);
    expect(second.observe(pod.metadata.uid)?.state).toMatchObject({ phase: "exited", requested: true });
    await second.remove(pod.metadata.uid);
    expect(await containerIds(ctr)).toEqual([]);
  }, 60_000);

  it("a multi-container pod restarts only its crashed container", async () => {
    const rt = await runtime();
    const pod = podObject("pair", [{ name: "steady", command: ["sleep", "1000"] }, { name: "flaky", command: ["sh", "-c", "sleep 1; exit 1"] }]);
    await rt.start(workloadOf(pod));
    await until(() => rt.observe(pod.metadata.uid)?.state.phase === "exited", 30_000, "the pod asking for a restart");
    const before = rt.observe(pod.metadata.uid)?.detail.containers;
    expect(before?.find((c) => c.name === "steady")?.state.phase).toBe("running");
    expect(before?.find((c) => c.name === "flaky")?.state).toMatchObject({ phase: "exited", exitCode: 1, reason: "Error" });
    // What the host loop does once the back-off is over.
    await rt.start(workloadOf(pod));
    const after = await until(() => {
      const cs = rt.observe(pod.metadata.uid)?.detail.containers;
      return cs?.find((c) => c.name === "flaky")?.restartCount === 1 && cs.find((c) => c.name === "flaky")?.state.phase === "running" ? cs : undefined;
    }, 30_000, "flaky restarted");
    expect(after.find((c) => c.name === "steady")).toMatchObject({ restartCount: 0, containerID: before?.find((c) => c.name === "steady")?.containerID });
    expect(after.find((c) => c.name === "flaky")?.lastExit).toMatchObject({ exitCode: 1 });
    await rt.stop(pod.metadata.uid, 0);
    await rt.remove(pod.metadata.uid);
  }, 60_000);

  it("an image that is not there under pull policy Never waits with ErrImageNeverPull", async () => {
    const rt = await runtime();
    const pod = podObject("noimage", [{ name: "app", image: "localhost/duraplane/absent:1", imagePullPolicy: "Never" }]);
    await rt.start(workloadOf(pod));
    const waiting = await until(() => rt.observe(pod.metadata.uid)?.detail.containers[0]?.waiting, 30_000, "waiting");
    expect(waiting).toEqual({ reason: "ErrImageNeverPull", message: 'Container image "localhost/duraplane/absent:1" is not present with pull policy of Never' });
    expect(rt.observe(pod.metadata.uid)?.state.phase).toBe("creating");
    await rt.stop(pod.metadata.uid, 0);
    await rt.remove(pod.metadata.uid);
    expect(await containerIds(ctr)).toEqual([]);
  }, 60_000);

  it("an httpGet readiness probe against a server in the container (host network) flips ready", async () => {
    const rt = await runtime();
    const port = 20_000 + (process.pid % 20_000);
    const pod = podObject("web", [{
      name: "web", command: ["sh", "-c", `sleep 1; mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 127.0.0.1:${port} -h /www`],
      ports: [{ name: "http", containerPort: port }],
      readinessProbe: { httpGet: { path: "/index.html", port: "http" }, periodSeconds: 1 },
    }]);
    await rt.start(workloadOf(pod));
    const web = () => rt.observe(pod.metadata.uid)?.detail.containers[0];
    await until(() => web()?.state.phase === "running", 30_000, "running");
    expect(web()?.ready).toBe(false);
    await until(() => web()?.ready === true, 30_000, "ready over HTTP");
    await rt.stop(pod.metadata.uid, 1);
    expect(web()?.ready).toBe(false);
    await rt.remove(pod.metadata.uid);
  }, 60_000);
});
