/**
 * @module
 * The simulated runtime: a state machine per workload driven by timers —
 * creating → running after the boot delay (or exited with a boot failure),
 * running → exited by a crash, by the workload finishing on its own, or by a
 * stop (graceful within the grace period, killed at its end). The container
 * and VM flavours only differ in names, exit reasons and details, so a demo
 * or a test can run hundreds of "workloads" with no containerd or libvirt.
 *
 * Per-workload fault injection through annotations on the pod or VMI:
 * `sim.duraplane.io/fail-boot: "true"`, `sim.duraplane.io/exit-after-ms: "5000"`
 * and `sim.duraplane.io/exit-code: "0"` (the exit code of that finish; 0 unless told).
 */
import type { Exited, Observation, RunState, RuntimeAdapter, Workload } from "./adapter.ts";
import { type AddressPool, macFor } from "./addresses.ts";
import { formatTime } from "../../shared/k8s/time.ts";
import { type Demand, simulatedCounters } from "./simulated-usage.ts";
import type { UsageSample } from "./usage.ts";

/** Timing and failure injection shared by both flavours. */
export interface SimulationOptions {
  /** creating → running takes this long. */
  bootDelayMs: number;
  /** A graceful stop takes this long (longer than the grace period means killed at its end). */
  stopDelayMs: number;
  /** Share of starts that fail (0–1). */
  bootFailureRate: number;
  /** Share of running workloads that crash (0–1)… */
  crashRate: number;
  /** …this long after they started. */
  crashAfterMs: number;
  /** Randomness (tests pass a fixed sequence). */
  random?: () => number;
}

/** The annotation names read by the simulated runtimes. */
export const SIM_ANNOTATIONS = {
  failBoot: "sim.duraplane.io/fail-boot",
  exitAfterMs: "sim.duraplane.io/exit-after-ms",
  exitCode: "sim.duraplane.io/exit-code",
} as const;

/** How a run ends, by cause. */
export interface ExitKind {
  exitCode: number;
  reason: string;
  message?: string;
}

/** What distinguishes containers from VMs in the simulation. */
export interface Flavour<Spec, Detail> {
  runtimeVersion: string;
  bootFailure: ExitKind;
  crash: ExitKind;
  /** Finished on its own with exit code 0. */
  completed: ExitKind;
  /** Stopped gracefully at our request. */
  stopped: ExitKind;
  /** Killed when the grace period ran out. */
  killed: ExitKind;
  detail(record: SimRecord<Spec>): Detail;
  /** What each container of a workload would use (simulated-usage.ts). */
  demand(record: SimRecord<Spec>): Demand[];
}

/** One simulated workload. */
export interface SimRecord<Spec> {
  workload: Workload<Spec>;
  attempt: number;
  state: RunState;
  lastExit?: Exited;
  /** Assigned when the workload first runs. */
  ip?: string;
  /** Suspended by `pause` (VMs); a running state stays running. */
  paused?: boolean;
  mac: string;
  timers: Set<NodeJS.Timeout>;
  /** Set while a stop is under way: settles it without a further observation (removal, power-off). */
  abandonStop?: () => void;
  stopping?: Promise<void>;
}

/** A `RuntimeAdapter` whose workloads exist only in this process. */
export class SimulatedRuntime<Spec, Detail> implements RuntimeAdapter<Spec, Detail> {
  protected readonly records = new Map<string, SimRecord<Spec>>();
  private readonly listeners = new Set<(o: Observation<Detail>) => void>();
  private readonly random: () => number;

  constructor(
    private readonly flavour: Flavour<Spec, Detail>,
    private readonly options: SimulationOptions,
    protected readonly addresses: AddressPool,
  ) {
    this.random = options.random ?? Math.random;
  }

  get runtimeVersion(): string {
    return this.flavour.runtimeVersion;
  }

  async start(workload: Workload<Spec>): Promise<void> {
    const existing = this.records.get(workload.uid);
    if (existing && existing.state.phase !== "exited") return;
    if (existing?.state.phase === "exited") {
      existing.workload = workload;
      existing.attempt++;
      existing.lastExit = existing.state;
      this.boot(existing);
      return;
    }
    const record: SimRecord<Spec> = {
      workload, attempt: 0, state: { phase: "creating", since: now() }, mac: macFor(workload.uid, "default"), timers: new Set(),
    };
    this.records.set(workload.uid, record);
    this.boot(record);
  }

  stop(uid: string, gracePeriodSeconds: number): Promise<void> {
    const record = this.records.get(uid);
    if (!record || record.state.phase === "exited") return Promise.resolve();
    if (record.stopping) return record.stopping;
    this.clearTimers(record);
    const graceMs = Math.max(0, gracePeriodSeconds) * 1000;
    const graceful = this.options.stopDelayMs <= graceMs;
    record.stopping = new Promise<void>((resolve) => {
      record.abandonStop = resolve;
      this.after(record, graceful ? this.options.stopDelayMs : graceMs, () => {
        this.exit(record, graceful ? this.flavour.stopped : this.flavour.killed, true);
        resolve();
      });
    });
    return record.stopping;
  }

  async remove(uid: string): Promise<void> {
    const record = this.records.get(uid);
    if (!record) return;
    this.clearTimers(record);
    record.abandonStop?.();
    this.records.delete(uid);
    if (record.ip) this.addresses.release(record.ip);
  }

  /** Suspends a running workload: its timers (crash, finish) stay armed, as a real pause keeps a guest's deadlines in the host's clock. */
  async pause(uid: string): Promise<void> {
    const record = this.records.get(uid);
    if (!record || record.state.phase !== "running" || record.paused) return;
    record.paused = true;
    this.emit(record);
  }

  async unpause(uid: string): Promise<void> {
    const record = this.records.get(uid);
    if (!record || !record.paused) return;
    record.paused = false;
    this.emit(record);
  }

  observe(uid: string): Observation<Detail> | undefined {
    const record = this.records.get(uid);
    return record && this.observation(record);
  }

  list(): Observation<Detail>[] {
    return [...this.records.values()].map((r) => this.observation(r));
  }

  /** The modelled counters of every running workload (simulated-usage.ts). */
  async usage(): Promise<UsageSample[]> {
    const timeMs = Date.now();
    const out: UsageSample[] = [];
    for (const record of this.records.values()) {
      if (record.state.phase !== "running") continue;
      const startedMs = Date.parse(record.state.startedAt);
      const { uid, namespace, name } = record.workload;
      const containers = this.flavour.demand(record).map((d) => simulatedCounters(uid, d, startedMs, timeMs));
      out.push({ uid, namespace, name, timeMs, containers });
    }
    return out;
  }

  subscribe(listener: (o: Observation<Detail>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The simulated host powers off: every workload vanishes without a word. */
  async close(): Promise<void> {
    this.listeners.clear();
    for (const record of this.records.values()) {
      this.clearTimers(record);
      record.abandonStop?.();
    }
    this.records.clear();
  }

  private observation(record: SimRecord<Spec>): Observation<Detail> {
    return {
      uid: record.workload.uid, attempt: record.attempt, state: record.state, lastExit: record.lastExit,
      ip: record.ip, paused: record.paused === true, detail: this.flavour.detail(record),
    };
  }

  protected emit(record: SimRecord<Spec>): void {
    const observation = this.observation(record);
    for (const listener of this.listeners) listener(observation);
  }

  protected after(record: SimRecord<Spec>, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      record.timers.delete(timer);
      fn();
    }, ms);
    record.timers.add(timer);
  }

  private clearTimers(record: SimRecord<Spec>): void {
    for (const timer of record.timers) clearTimeout(timer);
    record.timers.clear();
  }

  private boot(record: SimRecord<Spec>): void {
    record.stopping = undefined;
    record.abandonStop = undefined;
    record.state = { phase: "creating", since: now() };
    this.emit(record);
    const annotations = record.workload.annotations;
    const failBoot = annotations[SIM_ANNOTATIONS.failBoot] === "true" || this.random() < this.options.bootFailureRate;
    this.after(record, this.options.bootDelayMs, () => {
      if (failBoot) {
        this.exit(record, this.flavour.bootFailure, false);
        return;
      }
      record.ip ??= this.addresses.allocate();
      record.state = { phase: "running", startedAt: now() };
      this.emit(record);
      if (this.random() < this.options.crashRate) this.after(record, this.options.crashAfterMs, () => this.exit(record, this.flavour.crash, false));
      const exitAfter = Number(annotations[SIM_ANNOTATIONS.exitAfterMs]);
      if (Number.isFinite(exitAfter) && exitAfter >= 0 && annotations[SIM_ANNOTATIONS.exitAfterMs] !== undefined) {
        const code = Number(annotations[SIM_ANNOTATIONS.exitCode] ?? "0") || 0;
        this.after(record, exitAfter, () => this.exit(record, code === 0 ? this.flavour.completed : { ...this.flavour.crash, exitCode: code }, false));
      }
    });
  }

  private exit(record: SimRecord<Spec>, kind: ExitKind, requested: boolean): void {
    if (record.state.phase === "exited") return;
    this.clearTimers(record);
    record.paused = false;
    const startedAt = record.state.phase === "running" ? record.state.startedAt : undefined;
    record.state = { phase: "exited", ...kind, startedAt, finishedAt: now(), requested };
    this.emit(record);
  }
}

/** Container times are metav1.Time, as the kubelet writes them. */
function now(): string {
  return formatTime(Date.now());
}
