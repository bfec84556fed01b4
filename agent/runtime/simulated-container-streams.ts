/**
 * @module
 * The simulated container runtime with streams: every running container
 * writes a line per second (a counter and its command and args) into a
 * bounded log, the previous run's log is kept for `--previous`, exec runs
 * the tiny shell (sim-shell.ts), attach follows the container's output, and
 * every port of every pod answers HTTP (sim-http.ts).
 */
import type { Readable } from "node:stream";
import { PassThrough } from "node:stream";
import type { LogOptions } from "../../shared/tunnel/frames.ts";
import type { AddressPool } from "./addresses.ts";
import type { Workload } from "./adapter.ts";
import type { PodDetail, PodRuntimeSpec } from "./containers.ts";
import { containerFlavour } from "./simulated-containers.ts";
import { ContainerLog, readLog } from "./sim-log.ts";
import { SimulatedHttp } from "./sim-http.ts";
import { shellSession } from "./sim-shell.ts";
import { SimulatedRuntime, type SimulationOptions } from "./simulated.ts";
import { badStream, type ContainerStreams, notHere, type ProcessSession, type WorkloadRef } from "./streams.ts";

/** How often a simulated container writes a line. */
export const LOG_INTERVAL_MS = 1000;

interface RawContainer {
  name?: unknown;
  command?: unknown;
  args?: unknown;
  env?: unknown;
}

interface Pod {
  workload: Workload<PodRuntimeSpec>;
  /** The run whose logs are current, and its logs by container. */
  attempt?: number;
  current: Map<string, ContainerLog>;
  previous: Map<string, ContainerLog>;
  ticker?: NodeJS.Timeout;
  counter: number;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function rawContainer(workload: Workload<PodRuntimeSpec>, name: string): RawContainer {
  const all = [...(Array.isArray(workload.rawSpec.containers) ? workload.rawSpec.containers : []),
    ...(Array.isArray(workload.rawSpec.initContainers) ? workload.rawSpec.initContainers : [])] as RawContainer[];
  return all.find((c) => c.name === name) ?? {};
}

/** What a container's line says after its counter: its command and args, else its image. */
function lineText(workload: Workload<PodRuntimeSpec>, name: string): string {
  const c = rawContainer(workload, name);
  const argv = [...strings(c.command), ...strings(c.args)];
  return argv.length > 0 ? argv.join(" ") : (workload.spec.containers.find((x) => x.name === name)?.image ?? name);
}

/** A simulated container runtime that also serves streams. */
export class SimulatedContainerRuntime extends SimulatedRuntime<PodRuntimeSpec, PodDetail> implements ContainerStreams {
  private readonly pods = new Map<string, Pod>();
  private readonly http = new SimulatedHttp();

  constructor(options: SimulationOptions, addresses: AddressPool) {
    super(containerFlavour, options, addresses);
    this.subscribe((o) => this.track(o.uid, o.attempt, o.state.phase));
  }

  override async start(workload: Workload<PodRuntimeSpec>): Promise<void> {
    const pod = this.pods.get(workload.uid);
    if (pod) pod.workload = workload;
    else this.pods.set(workload.uid, { workload, current: new Map(), previous: new Map(), counter: 0 });
    await super.start(workload);
  }

  override async remove(uid: string): Promise<void> {
    const pod = this.pods.get(uid);
    if (pod) this.endRun(pod);
    this.pods.delete(uid);
    await super.remove(uid);
  }

  override async close(): Promise<void> {
    for (const pod of this.pods.values()) this.endRun(pod);
    this.pods.clear();
    await Promise.all([super.close(), this.http.close()]);
  }

  async logs(ref: WorkloadRef, container: string, options: LogOptions): Promise<Readable> {
    const pod = this.pod(ref, container);
    if (options.previous) {
      const log = pod.previous.get(container);
      if (!log) throw badStream(`previous terminated container "${container}" in pod "${ref.name}" not found`);
      return readLog(log, options);
    }
    const log = pod.current.get(container);
    if (!log) throw badStream(`container "${container}" in pod "${ref.name}" is waiting to start: ContainerCreating`);
    return readLog(log, options);
  }

  async exec(ref: WorkloadRef, container: string, command: readonly string[], tty: boolean, stdin: boolean): Promise<ProcessSession> {
    const pod = this.running(ref, container);
    const raw = rawContainer(pod.workload, container);
    const env: Record<string, string> = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOSTNAME: ref.name };
    if (tty) env.TERM = "xterm";
    for (const e of Array.isArray(raw.env) ? raw.env as { name?: unknown; value?: unknown }[] : []) {
      if (typeof e.name === "string") env[e.name] = typeof e.value === "string" ? e.value : "";
    }
    env.HOME = "/root";
    return shellSession(command, { hostname: ref.name, env }, tty, stdin);
  }

  async attach(ref: WorkloadRef, container: string, _tty: boolean, stdin: boolean): Promise<ProcessSession> {
    const pod = this.running(ref, container);
    const log = pod.current.get(container);
    if (!log) throw badStream(`container "${container}" in pod "${ref.name}" is not running`);
    const stdout = readLog(log, { follow: true, previous: false, timestamps: false, tailLines: 0 });
    const exit = new Promise<number>((resolve) => {
      stdout.once("end", () => {
        const o = this.observe(ref.uid);
        resolve(o?.state.phase === "exited" ? o.state.exitCode : 0);
      });
      stdout.once("close", () => resolve(0));
    });
    // The container reads no input here: what is typed is taken and dropped.
    const input = stdin ? new PassThrough().resume() : undefined;
    return { ...(input ? { stdin: input } : {}), stdout, resize: () => {}, exit, kill: () => stdout.destroy() };
  }

  async portForward(ref: WorkloadRef, port: number) {
    this.running(ref);
    return this.http.connect(ref, port);
  }

  private pod(ref: WorkloadRef, container?: string): Pod {
    const pod = this.pods.get(ref.uid);
    if (!pod || !this.observe(ref.uid)) throw notHere(`pod "${ref.namespace}/${ref.name}"`);
    if (container !== undefined && !pod.workload.spec.containers.some((c) => c.name === container)) {
      throw badStream(`container ${container} is not valid for pod ${ref.name}`);
    }
    return pod;
  }

  private running(ref: WorkloadRef, container?: string): Pod {
    const pod = this.pod(ref, container);
    if (this.observe(ref.uid)?.state.phase !== "running") {
      throw badStream(container ? `container "${container}" in pod "${ref.name}" is not running` : `pod "${ref.name}" is not running`);
    }
    return pod;
  }

  /** A run started: the last run's logs become the previous ones and the new run writes. A run ended: its logs end. */
  private track(uid: string, attempt: number, phase: string): void {
    const pod = this.pods.get(uid);
    if (!pod) return;
    if (phase === "running" && pod.attempt !== attempt) {
      this.endRun(pod);
      if (pod.current.size > 0) pod.previous = pod.current;
      pod.attempt = attempt;
      pod.counter = 0;
      pod.current = new Map(pod.workload.spec.containers.map((c) => [c.name, new ContainerLog()]));
      const tick = (): void => {
        pod.counter++;
        for (const [name, log] of pod.current) log.append(`${pod.counter} ${lineText(pod.workload, name)}`);
      };
      tick();
      pod.ticker = setInterval(tick, LOG_INTERVAL_MS);
      pod.ticker.unref();
    } else if (phase === "exited") {
      this.endRun(pod);
    }
  }

  private endRun(pod: Pod): void {
    if (pod.ticker) clearInterval(pod.ticker);
    pod.ticker = undefined;
    for (const log of pod.current.values()) log.close();
  }
}
