/**
 * @module
 * The one interface between the host loop and whatever actually runs
 * workloads — the adapter pattern of the design document: containerd for
 * pods and libvirt for VMs would each implement `RuntimeAdapter`, exactly as
 * the simulated runtimes here do. The host loop decides *what* should run
 * (from the API) and *when* to restart; an adapter only starts, stops and
 * reports what it sees, like the CRI for the kubelet.
 *
 * Contract for implementers:
 * - `start` is idempotent and returns once the runtime accepted the work
 *   (not once it runs); calling it on a workload whose last run exited
 *   starts a new attempt (CRI's `attempt`, which becomes restartCount);
 * - `stop` returns once the workload no longer runs: gracefully if it ends
 *   within the grace period, killed at its end otherwise;
 * - every change of an observation is delivered to subscribers, and
 *   `observe`/`list` answer from memory (a real adapter keeps a cache fed by
 *   containerd's or libvirt's event stream);
 * - `list` includes workloads started by an earlier agent process, so the
 *   host loop can stop the ones the API no longer wants;
 * - `pause`/`unpause` (VMs only, optional) suspend and resume a running
 *   workload; the observation's `paused` says what the runtime reports;
 * - `usage` (optional) reads the running workloads' counters — cumulative
 *   CPU time and memory per container — for `kubectl top`; an adapter
 *   without it reports no usage.
 */
import type { UsageSample } from "./usage.ts";

/** What to run: the object's identity and a kind-specific spec. */
export interface Workload<Spec> {
  uid: string;
  namespace: string;
  name: string;
  /** The object's annotations (the simulated runtimes read fault injection from them). */
  annotations: Readonly<Record<string, string>>;
  spec: Spec;
  /** The object's whole spec, for adapters that need more than `spec` summarises. */
  rawSpec: Readonly<Record<string, unknown>>;
}

/** A run that has ended. */
export interface Exited {
  phase: "exited";
  exitCode: number;
  /** e.g. Completed, Error, StartError, OOMKilled; for VMs Shutdown, Crashed, BootFailed. */
  reason: string;
  message?: string;
  startedAt?: string;
  finishedAt: string;
  /** The run ended because `stop` asked it to. */
  requested: boolean;
}

/** Where one run of a workload is. */
export type RunState =
  | { phase: "creating"; since: string }
  | { phase: "running"; startedAt: string }
  | Exited;

/** What the runtime knows about one workload. */
export interface Observation<Detail> {
  uid: string;
  /** 0 for the first run, +1 for each restart. */
  attempt: number;
  state: RunState;
  /** How the previous attempt ended. */
  lastExit?: Exited;
  /** The workload's address once it has one; kept after it exits. */
  ip?: string;
  /** The runtime reports it suspended (a paused VM keeps its state `running`). */
  paused?: boolean;
  detail: Detail;
}

/** Starts, stops and observes one kind of workload. */
export interface RuntimeAdapter<Spec, Detail> {
  /** Reported as the node's containerRuntimeVersion, e.g. `containerd://1.7.22`. */
  readonly runtimeVersion: string;
  start(workload: Workload<Spec>): Promise<void>;
  stop(uid: string, gracePeriodSeconds: number): Promise<void>;
  /** Forgets an exited workload and frees what it held (addresses). */
  remove(uid: string): Promise<void>;
  /** Suspends a running workload (a no-op when it does not run); resolves once the runtime reports it paused. */
  pause?(uid: string): Promise<void>;
  /** Resumes a paused workload (a no-op when it is not paused). */
  unpause?(uid: string): Promise<void>;
  observe(uid: string): Observation<Detail> | undefined;
  list(): Observation<Detail>[];
  /** Calls `listener` with every changed observation; returns the unsubscribe function. */
  subscribe(listener: (observation: Observation<Detail>) => void): () => void;
  /** The counters of every running workload, read now (runtime/usage.ts). */
  usage?(): Promise<UsageSample[]>;
  /** Releases the adapter (a real one leaves workloads running, as the kubelet does on restart). */
  close(): Promise<void>;
}
