/**
 * @module
 * The containerd adapter for pods: each spec container runs as one
 * containerd container + task (runc), one per attempt
 * (`<uid-hash>-<name>-<attempt>`, the kubelet's restartCount), all of a pod
 * in the host's network namespace (host network here, so the pod's IP is the
 * host's and no pause container is needed). State is observed, not assumed:
 * `ctr events` (task exits, OOMs) triggers an immediate look, and a relist of
 * `ctr tasks ls` every second catches anything missed, as the kubelet's
 * PLEG does. Exit codes come from containerd itself (the exit event, or
 * deleting the stopped task) and are written back as container labels, so
 * an agent that restarts adopts its containers — running or exited — from
 * containerd's metadata plus the workload file it kept in its state dir.
 *
 * Pod-level state for the host loop (which owns restart policy back-off):
 * `exited` as soon as one container exited in a way its restartPolicy
 * restarts (so the host loop waits out the back-off and calls `start`, which
 * restarts only the exited containers), else `running` while any runs, else
 * the exit of the pod as a whole.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { createHash } from "node:crypto";
import { formatTime } from "../../shared/k8s/time.ts";
import { Backoff } from "../backoff.ts";
import { errorMessage, type Logger } from "../log.ts";
import { isRecord, str } from "../objects.ts";
import type { Exited, Observation, RunState, Workload } from "./adapter.ts";
import { installLogger, containerLogPath, logUri } from "./container-logs.ts";
import { ContainerdImageStore, ImageError, repositoryOf } from "./containerd-images.ts";
import { ContainerConfigError, containerRunSpec, ctrRunOptions, type PodFacts } from "./containerd-spec.ts";
import type { ContainerObservation, ContainerRuntime, PodDetail, PodRuntimeSpec } from "./containers.ts";
import { type Ctr, tableRows } from "./ctr.ts";
import type { PullPolicy } from "./images.ts";
import type { Duplex, Readable } from "node:stream";
import type { LogOptions } from "../../shared/tunnel/frames.ts";
import { containerdAttach, containerdExec, containerdLogs, containerdPortForward, type ContainerdStreamSource } from "./containerd-streams.ts";
import type { ContainerStreams, ProcessSession, WorkloadRef } from "./streams.ts";
import { ProbeWorker, probeSpec } from "./probes.ts";
import { containerdUsage } from "./containerd-usage.ts";
import type { UsageSample } from "./usage.ts";

/** Container labels: the CRI's names for the pod's identity, ours for what containerd does not keep. */
export const LABELS = {
  podUid: "io.kubernetes.pod.uid",
  podName: "io.kubernetes.pod.name",
  podNamespace: "io.kubernetes.pod.namespace",
  container: "io.kubernetes.container.name",
  attempt: "io.duraplane.container.attempt",
  startedAt: "io.duraplane.started-at",
  exitCode: "io.duraplane.exit-code",
  reason: "io.duraplane.exit-reason",
  finishedAt: "io.duraplane.finished-at",
  requested: "io.duraplane.stop-requested",
  /** The Node the container runs for: agents of several nodes may share one containerd (npm start --runtime real). */
  node: "io.duraplane.node",
} as const;

/** What containerd's CRI reports for a container whose task vanished (a host reboot). */
const UNKNOWN_EXIT = { exitCode: 255, reason: "Unknown" };

/** How the adapter reaches containerd and where it keeps its files. */
export interface ContainerdRuntimeOptions {
  ctr: Ctr;
  images: ContainerdImageStore;
  /** Logs (`pods/…`), the logger script and the workload files (`containerd/…`). */
  stateDir: string;
  nodeName: string;
  hostIP: string;
  log: Logger;
  /** The relist period (the kubelet's PLEG: 1 s). */
  relistMs?: number;
  /** Image pull retries (the kubelet's image back-off: 10 s doubling to 5 min). */
  imageBackoff?: { initialMs: number; maxMs: number };
}

interface Run {
  name: string;
  image: string;
  /** restartCount: 0 for the first run. */
  attempt: number;
  id?: string;
  /** The previous attempt's container, kept for its exit labels. */
  previousId?: string;
  imageID?: string;
  state: RunState;
  lastExit?: Exited;
  /** Why a container that is not running yet waits (ErrImagePull, CreateContainerConfigError…). */
  waiting?: { reason: string; message?: string };
  ready?: boolean;
  stopRequested: boolean;
  /** Set by a liveness failure: the exit's message. */
  killedBecause?: string;
  oom: boolean;
  exitEvent?: { exitCode: number; at: string };
  launching?: Promise<void>;
  collecting?: Promise<void>;
  probes: ProbeWorker[];
  retry?: NodeJS.Timeout;
  pullBackoff: Backoff;
}

interface Pod {
  workload: Workload<PodRuntimeSpec>;
  runs: Map<string, Run>;
  removed: boolean;
}

/** `<first 12 hex of sha256(uid)>-<name>-<attempt>`: within containerd's 76 characters, readable in `ctr c ls`. */
export function containerId(uid: string, name: string, attempt: number): string {
  return `${createHash("sha256").update(uid).digest("hex").slice(0, 12)}-${name.slice(0, 50)}-${attempt}`;
}

function now(): string {
  return formatTime(Date.now());
}

/** containerd's nanosecond times, as metav1.Time. */
function fromNanoTime(t: string): string {
  const ms = Date.parse(t.replace(/(\.\d{3})\d*Z$/, "$1Z"));
  return Number.isNaN(ms) ? now() : formatTime(ms);
}

function restartPolicy(workload: Workload<PodRuntimeSpec>): string {
  return str(workload.rawSpec.restartPolicy) ?? "Always";
}

/** Would the pod's restartPolicy restart a container that ended like this? */
export function restartable(policy: string, exit: Exited): boolean {
  return !exit.requested && (policy === "Always" || (policy === "OnFailure" && exit.exitCode !== 0));
}

/** The spec of container `name` in the pod's raw spec. */
function rawContainer(workload: Workload<PodRuntimeSpec>, name: string): Record<string, unknown> {
  const list = Array.isArray(workload.rawSpec.containers) ? workload.rawSpec.containers.filter(isRecord) : [];
  return list.find((c) => c.name === name) ?? { name, image: workload.spec.containers.find((c) => c.name === name)?.image ?? "" };
}

/** The API server's default: Always for `:latest` or no tag, else IfNotPresent. */
export function pullPolicy(container: Record<string, unknown>): PullPolicy {
  const set = str(container.imagePullPolicy);
  if (set === "Always" || set === "IfNotPresent" || set === "Never") return set;
  const image = str(container.image) ?? "";
  if (image.includes("@")) return "IfNotPresent";
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return !tag || tag === "latest" ? "Always" : "IfNotPresent";
}

/** The pod-level state the host loop acts on (see the module comment). */
export function podState(policy: string, runs: readonly { state: RunState; lastExit?: Exited; attempt: number }[]): { state: RunState; attempt: number; lastExit?: Exited } {
  const attempt = runs.reduce((n, r) => n + r.attempt, 0);
  const lastExit = runs.map((r) => r.lastExit).filter((e): e is Exited => e !== undefined).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt)).at(-1);
  const exits = runs.map((r) => r.state).filter((s): s is Exited => s.phase === "exited");
  const toRestart = exits.find((e) => restartable(policy, e));
  if (toRestart) return { state: toRestart, attempt, lastExit };
  const running = runs.map((r) => r.state).filter((s): s is Extract<RunState, { phase: "running" }> => s.phase === "running");
  if (running.length > 0) return { state: { phase: "running", startedAt: running.map((s) => s.startedAt).sort()[0] ?? now() }, attempt, lastExit };
  const creating = runs.map((r) => r.state).find((s) => s.phase === "creating");
  if (creating || exits.length === 0) return { state: creating ?? { phase: "creating", since: now() }, attempt, lastExit };
  const failed = exits.find((e) => e.exitCode !== 0) ?? exits[0];
  const finishedAt = exits.map((e) => e.finishedAt).sort().at(-1) ?? now();
  return { state: { ...(failed as Exited), finishedAt, requested: exits.some((e) => e.requested) }, attempt, lastExit };
}

/** Runs pods' containers under containerd. Create with {@link containerdRuntime}. */
export class ContainerdRuntime implements ContainerRuntime, ContainerStreams {
  private readonly pods = new Map<string, Pod>();
  private readonly listeners = new Set<(o: Observation<PodDetail>) => void>();
  private readonly logger: string;
  private relistTimer: NodeJS.Timeout | undefined;
  private relisting: Promise<void> | undefined;
  private events: ChildProcess | undefined;
  private closed = false;

  private readonly options: ContainerdRuntimeOptions;

  constructor(options: ContainerdRuntimeOptions, readonly runtimeVersion: string) {
    // The shim runs the logger and opens the log files: it needs absolute paths (`--state` may be relative).
    this.options = { ...options, stateDir: resolve(options.stateDir) };
    this.logger = installLogger(this.options.stateDir);
    mkdirSync(this.workloadDir, { recursive: true });
  }

  private get ctr(): Ctr {
    return this.options.ctr;
  }

  private get workloadDir(): string {
    return join(this.options.stateDir, "containerd", "pods");
  }

  /** Finds containers an earlier agent started, then starts watching. */
  async adopt(): Promise<void> {
    const ids = (await this.ctr.run(["containers", "ls", "-q"])).split("\n").map((s) => s.trim()).filter((s) => s !== "");
    const found: { id: string; labels: Record<string, string> }[] = [];
    for (const id of ids) {
      const info: unknown = JSON.parse(await this.ctr.run(["containers", "info", id]).catch(() => "{}"));
      const labels = isRecord(info) && isRecord(info.Labels) ? (info.Labels as Record<string, string>) : {};
      // Only this node's: another agent on the same containerd keeps its own.
      if (labels[LABELS.podUid] && labels[LABELS.container] && labels[LABELS.node] === this.options.nodeName) found.push({ id, labels });
    }
    const byPod = new Map<string, typeof found>();
    for (const f of found) byPod.set(f.labels[LABELS.podUid] ?? "", [...(byPod.get(f.labels[LABELS.podUid] ?? "") ?? []), f]);
    for (const [uid, containers] of byPod) {
      const workload = this.readWorkload(uid) ?? {
        uid, namespace: containers[0]?.labels[LABELS.podNamespace] ?? "", name: containers[0]?.labels[LABELS.podName] ?? "", annotations: {},
        spec: { containers: [] }, rawSpec: {},
      };
      const pod: Pod = { workload, runs: new Map(), removed: false };
      const names = [...new Set(containers.map((c) => c.labels[LABELS.container] ?? ""))];
      for (const name of names) {
        const attempts = containers.filter((c) => c.labels[LABELS.container] === name).sort((a, b) => Number(a.labels[LABELS.attempt]) - Number(b.labels[LABELS.attempt]));
        const current = attempts.at(-1);
        if (!current) continue;
        const previous = attempts.at(-2);
        const run = this.newRun(name, workload.spec.containers.find((c) => c.name === name)?.image ?? "", Number(current.labels[LABELS.attempt]) || 0);
        run.id = current.id;
        run.previousId = previous?.id;
        const exit = exitFromLabels(current.labels);
        run.state = exit ?? { phase: "running", startedAt: current.labels[LABELS.startedAt] ?? now() };
        run.lastExit = previous ? exitFromLabels(previous.labels) : undefined;
        if (!exit) this.startProbes(pod, run);
        pod.runs.set(name, run);
      }
      this.pods.set(uid, pod);
      this.options.log.info("adopted pod from containerd", { pod: `${workload.namespace}/${workload.name}`, uid, containers: names.length });
    }
    this.watchEvents();
    await this.relist();
    this.relistTimer = setInterval(() => void this.relistOnce(), this.options.relistMs ?? 1000);
  }

  async start(workload: Workload<PodRuntimeSpec>): Promise<void> {
    this.writeWorkload(workload);
    let pod = this.pods.get(workload.uid);
    if (!pod) {
      pod = { workload, runs: new Map(), removed: false };
      this.pods.set(workload.uid, pod);
      for (const c of workload.spec.containers) pod.runs.set(c.name, this.newRun(c.name, c.image, 0));
      this.emit(pod);
      for (const run of pod.runs.values()) this.launch(pod, run);
      return;
    }
    pod.workload = workload;
    const policy = restartPolicy(workload);
    // A new attempt for each container its restartPolicy restarts; the others stay as they are.
    for (const run of pod.runs.values()) {
      const s = run.state;
      if (s.phase !== "exited" || run.launching || !restartable(policy, s)) continue;
      run.lastExit = s;
      run.previousId = run.id;
      run.attempt++;
      run.state = { phase: "creating", since: now() };
      run.stopRequested = false;
      run.killedBecause = undefined;
      run.oom = false;
      run.exitEvent = undefined;
      this.launch(pod, run);
    }
    this.emit(pod);
  }

  async stop(uid: string, gracePeriodSeconds: number): Promise<void> {
    const pod = this.pods.get(uid);
    if (!pod) return;
    await Promise.all([...pod.runs.values()].map(async (run) => {
      run.stopRequested = true;
      clearTimeout(run.retry);
      run.retry = undefined;
      await run.launching;
      if (run.state.phase === "running") await this.stopRun(pod, run, gracePeriodSeconds);
    }));
  }

  async remove(uid: string): Promise<void> {
    const pod = this.pods.get(uid);
    if (!pod) return;
    pod.removed = true;
    this.pods.delete(uid);
    for (const run of pod.runs.values()) {
      clearTimeout(run.retry);
      for (const p of run.probes) p.stop();
      await run.launching;
    }
    // Every container of the pod by its label (including one a start abandoned half-way).
    const listed = await this.ctr.run(["containers", "ls", "-q", `labels."${LABELS.podUid}"==${uid}`]);
    const ids = listed.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    // Exited containers have no task left: one call removes them all; else one by one, tasks first.
    if (ids.length > 0 && (await this.ctr.exec(["containers", "delete", ...ids])).exitCode !== 0) {
      for (const id of ids) await this.removeContainer(id);
    }
    rmSync(join(this.workloadDir, `${uid}.json`), { force: true });
  }

  observe(uid: string): Observation<PodDetail> | undefined {
    const pod = this.pods.get(uid);
    return pod && this.observation(pod);
  }

  list(): Observation<PodDetail>[] {
    return [...this.pods.values()].map((p) => this.observation(p));
  }

  subscribe(listener: (o: Observation<PodDetail>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The counters of every running container's cgroup (containerd-usage.ts). */
  usage(): Promise<UsageSample[]> {
    return containerdUsage(this.ctr, [...this.pods.values()].map((p) => ({ workload: p.workload, removed: p.removed, runs: p.runs.values() })));
  }

  /** Stops watching; containers keep running for the next agent to adopt, as the kubelet leaves them. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.relistTimer);
    this.events?.kill();
    this.listeners.clear();
    for (const pod of this.pods.values()) {
      for (const run of pod.runs.values()) {
        clearTimeout(run.retry);
        for (const p of run.probes) p.stop();
      }
    }
    await Promise.all([...this.pods.values()].flatMap((p) => [...p.runs.values()].map((r) => r.launching)));
    await this.relisting;
  }

  /** The log file of a container's current run (for `kubectl logs` later, and tests). */
  logPath(uid: string, container: string, attempt?: number): string | undefined {
    const pod = this.pods.get(uid);
    const run = pod?.runs.get(container);
    if (!pod || !run) return undefined;
    return containerLogPath(this.options.stateDir, pod.workload, container, attempt ?? run.attempt);
  }

  /** `pods/log` (containerd-streams.ts). */
  logs(pod: WorkloadRef, container: string, options: LogOptions): Promise<Readable> {
    return containerdLogs(this.streamSource(), pod, container, options);
  }

  /** `pods/exec` (containerd-streams.ts). */
  exec(pod: WorkloadRef, container: string, command: readonly string[], tty: boolean, stdin: boolean): Promise<ProcessSession> {
    return containerdExec(this.streamSource(), pod, container, command, tty, stdin);
  }

  /** `pods/attach`: refused (containerd-streams.ts). */
  attach(pod: WorkloadRef): Promise<ProcessSession> {
    return containerdAttach(this.streamSource(), pod);
  }

  /** `pods/portforward` (containerd-streams.ts). */
  portForward(pod: WorkloadRef, port: number): Promise<Duplex> {
    return containerdPortForward(this.streamSource(), pod, port);
  }

  private streamSource(): ContainerdStreamSource {
    return {
      ctr: this.ctr, hostIP: this.options.hostIP,
      observe: (uid) => this.observe(uid), logPath: (uid, c, a) => this.logPath(uid, c, a), containerIdOf: (uid, c) => this.containerIdOf(uid, c),
    };
  }

  /** The containerd id of a container's current run. */
  containerIdOf(uid: string, container: string): string | undefined {
    return this.pods.get(uid)?.runs.get(container)?.id;
  }

  private newRun(name: string, image: string, attempt: number): Run {
    const backoff = this.options.imageBackoff ?? { initialMs: 10_000, maxMs: 300_000 };
    return {
      name, image, attempt, state: { phase: "creating", since: now() }, stopRequested: false, oom: false, probes: [],
      pullBackoff: new Backoff({ ...backoff, jitter: 0 }),
    };
  }

  private observation(pod: Pod): Observation<PodDetail> {
    const runs = [...pod.runs.values()];
    const { state, attempt, lastExit } = podState(restartPolicy(pod.workload), runs);
    const containers: ContainerObservation[] = runs.map((r) => ({
      name: r.name, image: r.image, ...(r.imageID ? { imageID: r.imageID } : {}), ...(r.id ? { containerID: `containerd://${r.id}` } : {}),
      state: r.state, ...(r.lastExit ? { lastExit: r.lastExit } : {}), restartCount: r.attempt,
      ...(r.ready !== undefined ? { ready: r.ready && r.state.phase === "running" } : {}),
      ...(r.waiting && r.state.phase === "creating" ? { waiting: r.waiting } : {}),
    }));
    const started = runs.some((r) => r.id !== undefined);
    return { uid: pod.workload.uid, attempt, state, ...(lastExit ? { lastExit } : {}), ...(started ? { ip: this.options.hostIP } : {}), detail: { containers } };
  }

  private emit(pod: Pod): void {
    if (this.closed || pod.removed) return;
    const o = this.observation(pod);
    for (const l of this.listeners) l(o);
  }

  private launch(pod: Pod, run: Run): void {
    const p = this.launchRun(pod, run).finally(() => {
      if (run.launching === p) run.launching = undefined;
    });
    run.launching = p;
  }

  private async launchRun(pod: Pod, run: Run): Promise<void> {
    const { workload } = pod;
    const container = rawContainer(workload, run.name);
    const id = containerId(workload.uid, run.name, run.attempt);
    try {
      const image = await this.options.images.resolve(run.image, pullPolicy(container));
      const facts: PodFacts = {
        uid: workload.uid, namespace: workload.namespace, name: workload.name, nodeName: this.options.nodeName,
        serviceAccountName: str(workload.rawSpec.serviceAccountName), hostIP: this.options.hostIP, podIP: this.options.hostIP,
        annotations: workload.annotations,
      };
      const spec = containerRunSpec(container, image.config, facts);
      if (pod.removed || run.stopRequested || this.closed) return;
      const logFile = containerLogPath(this.options.stateDir, workload, run.name, run.attempt);
      mkdirSync(dirname(logFile), { recursive: true });
      const labels = {
        [LABELS.podUid]: workload.uid, [LABELS.podName]: workload.name, [LABELS.podNamespace]: workload.namespace,
        [LABELS.container]: run.name, [LABELS.attempt]: String(run.attempt), [LABELS.node]: this.options.nodeName,
      };
      run.id = id;
      run.imageID = `${repositoryOf(image.ref)}@${image.digest}`;
      const argv = ["run", ...ctrRunOptions(spec, labels, logUri(this.logger, logFile)), image.ref, id, ...spec.args];
      await this.ctr.run(argv, 120_000).catch(async (err: unknown) => {
        // A container of that id left by an agent that died mid-start: remove it and try once more.
        if (!/already exists/.test(errorMessage(err))) throw err;
        await this.removeContainer(id);
        await this.ctr.run(argv, 120_000);
      });
      const startedAt = now();
      run.state = { phase: "running", startedAt };
      run.waiting = undefined;
      run.pullBackoff.reset();
      this.startProbes(pod, run);
      this.emit(pod);
      this.options.log.info("container started", { pod: `${workload.namespace}/${workload.name}`, container: run.name, id, attempt: run.attempt });
      await this.ctr.run(["containers", "label", id, `${LABELS.startedAt}=${startedAt}`]).catch(() => undefined);
      const older = run.attempt >= 2 ? containerId(workload.uid, run.name, run.attempt - 2) : undefined;
      if (older) await this.removeContainer(older);
      // A task that ended before we looked (a quick `echo`) is caught by the next relist.
      this.kickRelist();
    } catch (err) {
      if (err instanceof ImageError || err instanceof ContainerConfigError) {
        const retrying = run.waiting !== undefined && err instanceof ImageError && err.reason === "ErrImagePull";
        run.waiting = { reason: retrying ? "ImagePullBackOff" : err.reason, message: retrying ? `Back-off pulling image "${run.image}": ${err.message}` : err.message };
        const delay = run.pullBackoff.next();
        this.options.log.warn("container cannot start yet", { pod: `${workload.namespace}/${workload.name}`, container: run.name, reason: err.reason, error: err.message, retryMs: delay });
        run.retry = setTimeout(() => {
          run.retry = undefined;
          if (!pod.removed && !run.stopRequested && !this.closed) this.launch(pod, run);
        }, delay);
        this.emit(pod);
        return;
      }
      this.options.log.error("container start failed", { pod: `${workload.namespace}/${workload.name}`, container: run.name, error: errorMessage(err) });
      run.state = { phase: "exited", exitCode: 128, reason: "StartError", message: errorMessage(err), finishedAt: now(), requested: false };
      await this.ctr.run(["containers", "label", id, ...exitLabels(run.state)]).catch(() => undefined);
      this.emit(pod);
    }
  }

  private startProbes(pod: Pod, run: Run): void {
    for (const p of run.probes) p.stop();
    run.probes = [];
    const container = rawContainer(pod.workload, run.name);
    const exec = (command: string[], timeoutMs: number) => this.execIn(run, command, timeoutMs);
    const readiness = probeSpec(container, "readinessProbe", this.options.hostIP);
    run.ready = readiness ? false : undefined;
    if (readiness) {
      run.probes.push(new ProbeWorker(readiness, exec, false, (ok) => {
        run.ready = ok;
        this.emit(pod);
      }));
    }
    const liveness = probeSpec(container, "livenessProbe", this.options.hostIP);
    if (liveness) {
      run.probes.push(new ProbeWorker(liveness, exec, true, (ok) => {
        if (ok || run.state.phase !== "running") return;
        // The kubelet kills a container that fails liveness; its restartPolicy decides the rest.
        run.killedBecause = `Container ${run.name} failed liveness probe, will be restarted`;
        this.options.log.info("liveness probe failed, killing container", { pod: `${pod.workload.namespace}/${pod.workload.name}`, container: run.name });
        const grace = Number(pod.workload.rawSpec.terminationGracePeriodSeconds ?? 30);
        this.stopRun(pod, run, Number.isFinite(grace) ? grace : 30).catch((err: unknown) => this.options.log.error("liveness kill failed", { error: errorMessage(err) }));
      }));
    }
  }

  /** `ctr tasks exec` in the container; resolves with the command's exit code. */
  private async execIn(run: Run, command: string[], timeoutMs: number): Promise<number> {
    if (!run.id || run.state.phase !== "running") return -1;
    const execId = `probe-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    // ctr's own start-up counts against the probe's timeout too; allow it a second.
    const r = await this.ctr.exec(["tasks", "exec", "--exec-id", execId, run.id, ...command], timeoutMs + 1000);
    return r.exitCode ?? -1;
  }

  /** SIGTERM (or the image's stop signal), then SIGKILL once the grace period is over; resolves once exited. */
  private async stopRun(pod: Pod, run: Run, gracePeriodSeconds: number): Promise<void> {
    const id = run.id;
    if (!id) return;
    for (const p of run.probes) p.stop();
    await this.ctr.run(["tasks", "kill", "--signal", "SIGTERM", id]).catch(() => undefined);
    if (await this.waitExited(run, Math.max(0, gracePeriodSeconds) * 1000)) return;
    this.options.log.info("grace period over, killing container", { pod: `${pod.workload.namespace}/${pod.workload.name}`, container: run.name, gracePeriodSeconds });
    await this.ctr.run(["tasks", "kill", "--signal", "SIGKILL", "--all", id]).catch(() => undefined);
    await this.waitExited(run, 30_000);
  }

  private async waitExited(run: Run, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (run.state.phase === "exited") return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now()))));
    }
  }

  private kickRelist(): void {
    setTimeout(() => void this.relistOnce(), 50);
  }

  private relistOnce(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.relisting ??= this.relist().catch((err: unknown) => this.options.log.warn("containerd relist failed", { error: errorMessage(err) })).finally(() => {
      this.relisting = undefined;
    });
    return this.relisting;
  }

  /** Every running container whose task is no longer running: collect its exit. */
  private async relist(): Promise<void> {
    const tasks = new Map(tableRows(await this.ctr.run(["tasks", "ls"])).map((row) => [row[0] ?? "", row[2] ?? ""]));
    const work: Promise<void>[] = [];
    for (const pod of this.pods.values()) {
      for (const run of pod.runs.values()) {
        if (run.state.phase !== "running" || !run.id || run.launching) continue;
        const status = tasks.get(run.id);
        if (status === "RUNNING" || status === "PAUSED" || status === "PAUSING" || status === "CREATED") continue;
        work.push(this.collectExit(pod, run));
      }
    }
    await Promise.all(work);
  }

  private collectExit(pod: Pod, run: Run): Promise<void> {
    run.collecting ??= this.collect(pod, run).finally(() => {
      run.collecting = undefined;
    });
    return run.collecting;
  }

  private async collect(pod: Pod, run: Run): Promise<void> {
    const id = run.id;
    if (!id || run.state.phase !== "running") return;
    const startedAt = run.state.startedAt;
    const deleted = await this.ctr.exec(["tasks", "delete", id]);
    // Still running after all (a relist racing a start): look again next time.
    if (deleted.exitCode !== 0 && /running|not stopped|precondition/i.test(deleted.stderr)) return;
    const warned = /exit code (\d+)/.exec(deleted.stderr)?.[1];
    let exitCode: number;
    let reason: string | undefined;
    if (run.exitEvent) exitCode = run.exitEvent.exitCode;
    else if (warned !== undefined) exitCode = Number(warned);
    else if (deleted.exitCode === 0) exitCode = 0;
    else ({ exitCode, reason } = UNKNOWN_EXIT);
    reason ??= run.oom ? "OOMKilled" : exitCode === 0 ? "Completed" : "Error";
    const message = run.killedBecause;
    run.state = {
      phase: "exited", exitCode, reason, ...(message ? { message } : {}), startedAt,
      finishedAt: run.exitEvent?.at ?? now(), requested: run.stopRequested,
    };
    run.ready = run.ready === undefined ? undefined : false;
    for (const p of run.probes) p.stop();
    await this.ctr.run(["containers", "label", id, ...exitLabels(run.state)]).catch(() => undefined);
    this.emit(pod);
  }

  /** `ctr events`: task exits and OOMs, so an exit is seen at once rather than at the next relist. */
  private watchEvents(): void {
    if (this.closed) return;
    const child = spawn(this.ctr.binary, ["--address", this.ctr.address, "events"], { stdio: ["ignore", "pipe", "ignore"] });
    this.events = child;
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => this.onEvent(line));
    child.on("error", () => undefined);
    child.on("exit", () => {
      if (!this.closed) setTimeout(() => this.watchEvents(), 1000);
    });
  }

  private onEvent(line: string): void {
    const m = /^\S+ \S+ \S+ \S+ (\S+) (\/\S+) (\{.*\})$/.exec(line);
    if (!m || m[1] !== this.ctr.namespace) return;
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(m[3] ?? "{}");
      if (!isRecord(parsed)) return;
      body = parsed;
    } catch {
      return;
    }
    const id = str(body.container_id);
    const run = id ? this.runById(id) : undefined;
    if (!run) return;
    if (m[2] === "/tasks/oom") run.oom = true;
    if (m[2] === "/tasks/exit" && body.id === id) {
      run.exitEvent = { exitCode: typeof body.exit_status === "number" ? body.exit_status : 0, at: fromNanoTime(str(body.exited_at) ?? "") };
      this.kickRelist();
    }
  }

  private runById(id: string): Run | undefined {
    for (const pod of this.pods.values()) for (const run of pod.runs.values()) if (run.id === id) return run;
    return undefined;
  }

  private async removeContainer(id: string): Promise<void> {
    await this.ctr.exec(["tasks", "delete", "--force", id]).catch(() => undefined);
    await this.ctr.exec(["containers", "delete", id]).catch(() => undefined);
  }

  private writeWorkload(workload: Workload<PodRuntimeSpec>): void {
    writeFileSync(join(this.workloadDir, `${workload.uid}.json`), JSON.stringify(workload));
  }

  private readWorkload(uid: string): Workload<PodRuntimeSpec> | undefined {
    const file = join(this.workloadDir, `${uid}.json`);
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, "utf8")) as Workload<PodRuntimeSpec>;
    } catch {
      return undefined;
    }
  }
}

function exitLabels(exit: Exited): string[] {
  return [
    `${LABELS.exitCode}=${exit.exitCode}`, `${LABELS.reason}=${exit.reason}`, `${LABELS.finishedAt}=${exit.finishedAt}`,
    `${LABELS.requested}=${exit.requested}`, ...(exit.startedAt ? [`${LABELS.startedAt}=${exit.startedAt}`] : []),
  ];
}

function exitFromLabels(labels: Record<string, string>): Exited | undefined {
  const code = labels[LABELS.exitCode];
  if (code === undefined) return undefined;
  return {
    phase: "exited", exitCode: Number(code), reason: labels[LABELS.reason] ?? "Error", finishedAt: labels[LABELS.finishedAt] ?? now(),
    requested: labels[LABELS.requested] === "true", ...(labels[LABELS.startedAt] ? { startedAt: labels[LABELS.startedAt] } : {}),
  };
}

/** The containerd adapter: checks the daemon, adopts what an earlier agent left, starts watching. */
export async function containerdRuntime(options: ContainerdRuntimeOptions): Promise<ContainerdRuntime> {
  const version = await options.ctr.serverVersion();
  const runtime = new ContainerdRuntime(options, `containerd://${version}`);
  await runtime.adopt();
  return runtime;
}

/** Every workload file the adapter keeps (tests). */
export function workloadFiles(stateDir: string): string[] {
  const dir = join(stateDir, "containerd", "pods");
  return existsSync(dir) ? readdirSync(dir) : [];
}
