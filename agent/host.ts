/**
 * @module
 * The host loop for one kind: desired state from the watch (the pods or VMIs
 * bound to this node) against actual state from the runtime adapter, one
 * level-based reconcile per object at a time (like the kubelet's pod workers
 * and virt-handler's VMI loop):
 * - gone from the API (or unknown to it): stop it, forget it;
 * - being deleted, or final on the server (e.g. failed while this host was
 *   unreachable): stop it within its grace period and report `stopped`;
 * - not on the runtime: start it — unless the server says it was already
 *   running here, which means the host lost it: report it Failed;
 * - exited on its own: restart after a backoff if its policy says so,
 *   otherwise report the final state.
 * Every reconcile ends by reporting the current status if it changed.
 */
import type { ReportItem } from "../shared/hosts/report.ts";
import { Backoff, type BackoffOptions } from "./backoff.ts";
import type { KindDriver } from "./kinds/driver.ts";
import { KeyedRunner } from "./keyed-runner.ts";
import { errorMessage, type Logger, type LogValue } from "./log.ts";
import { type ApiObject, keyOf } from "./objects.ts";
import type { Exited, Observation } from "./runtime/adapter.ts";
import type { Sequence } from "./sequence.ts";
import type { WatchEventType, WatchHandler } from "./watch.ts";
import { formatTime } from "../shared/k8s/time.ts";

/** What a host loop shares with the rest of the agent. */
export interface HostLoopOptions {
  /** The node's InternalIP. */
  hostIP: string;
  sequence: Sequence;
  reporter: { enqueue(item: ReportItem): void };
  log: Logger;
  /** Restart backoff after a crash (the kubelet's is 10 s doubling to 5 min). */
  restartBackoff?: BackoffOptions;
  /** Live migration: a workload another component holds (an incoming VMI not yet handed over) is not stopped as unknown. */
  held?(uid: string): boolean;
}

/** A run this long resets the restart backoff (the kubelet forgets a crash after 10 minutes). */
const BACKOFF_RESET_MS = 10 * 60 * 1000;

interface Entry {
  uid: string;
  /** The latest object from the API; kept after it is gone, for its grace period and logs. */
  object?: ApiObject;
  gone: boolean;
  /** When this agent first started it (the pod's startTime when the server has none). */
  acceptedAt?: string;
  /** When the agent found the runtime had lost it (reported Failed; never started again). */
  lostAt?: string;
  restart?: { timer: NodeJS.Timeout; due: boolean };
  backoff: Backoff;
  /** The last reported status and stopped flag, to skip repeats. */
  reported?: string;
  /** What the last report said of phase and conditions (see `drifted`). */
  reportedView?: string;
  /** The server's view last answered with a re-report, so one that stays different is answered once. */
  corrected?: string;
  /** The last logged runtime state, to log transitions once. */
  seen?: string;
}

/** Reconciles one kind of workload on this host. */
export class HostLoop<Spec, Detail> implements WatchHandler<ApiObject> {
  private readonly entries = new Map<string, Entry>();
  private readonly runner: KeyedRunner;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly driver: KindDriver<Spec, Detail>, private readonly options: HostLoopOptions) {
    this.runner = new KeyedRunner(
      (uid) => this.reconcile(uid),
      (uid, err) => options.log.error(`${driver.noun} reconcile failed`, { ...this.fields(uid), error: errorMessage(err) }),
    );
    this.unsubscribe = driver.adapter.subscribe((o) => this.observed(o));
  }

  /** A fresh list: objects not in it are gone, and so are runtime workloads the API does not know. */
  replace(objects: ApiObject[]): void {
    const listed = new Set(objects.map((o) => o.metadata.uid));
    for (const entry of this.entries.values()) if (!listed.has(entry.uid)) entry.gone = true;
    for (const o of this.driver.adapter.list()) if (!listed.has(o.uid)) this.entry(o.uid).gone = true;
    for (const object of objects) this.upsert(object);
    for (const uid of this.entries.keys()) this.runner.schedule(uid);
  }

  apply(type: WatchEventType, object: ApiObject): void {
    if (type === "DELETED") {
      const entry = this.entries.get(object.metadata.uid);
      if (!entry) return;
      entry.object = object;
      entry.gone = true;
    } else {
      this.upsert(object);
    }
    this.runner.schedule(object.metadata.uid);
  }

  /** Reports every object again (after the host was silent, the server may have written over its status). */
  resync(): void {
    for (const entry of this.entries.values()) {
      entry.reported = undefined;
      this.runner.schedule(entry.uid);
    }
  }

  /** The objects currently tracked (tests, logs). */
  get size(): number {
    return this.entries.size;
  }

  /** Resolves once no reconcile runs (tests). */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  /** Stops reconciling; workloads are left to the adapter's close. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const entry of this.entries.values()) this.cancelRestart(entry);
  }

  private entry(uid: string): Entry {
    let entry = this.entries.get(uid);
    if (!entry) {
      entry = { uid, gone: false, backoff: new Backoff(this.options.restartBackoff ?? { initialMs: 10_000, maxMs: 300_000, jitter: 0 }) };
      this.entries.set(uid, entry);
    }
    return entry;
  }

  private upsert(object: ApiObject): void {
    const entry = this.entry(object.metadata.uid);
    entry.object = object;
    entry.gone = false;
    this.drifted(entry, object);
  }

  /**
   * Like the kubelet's status manager, which compares its status with the
   * API server's: when the server's phase or conditions no longer say what
   * this host last reported — the node lifecycle controller marked them
   * Ready=False while the control plane could not hear us (a restart, a
   * partition) — report again, once per distinct server view, so a status
   * the server keeps refusing cannot loop.
   */
  private drifted(entry: Entry, object: ApiObject): void {
    if (entry.reportedView === undefined) return;
    const server = statusView(object.status, entry.reportedView);
    if (server === entry.reportedView || server === entry.corrected) return;
    entry.corrected = server;
    entry.reported = undefined;
  }

  private fields(uid: string, extra: Record<string, LogValue> = {}): Record<string, LogValue> {
    const object = this.entries.get(uid)?.object;
    return { [this.driver.noun]: object ? keyOf(object) : undefined, uid, ...extra };
  }

  /** A runtime change: log the transition, then reconcile. */
  private observed(o: Observation<Detail>): void {
    if (this.closed) return;
    const entry = this.entry(o.uid);
    if (!entry.object) entry.gone = true; // a workload the API never told us about
    const s = o.state;
    const seen = `${o.attempt}/${s.phase}`;
    if (seen !== entry.seen) {
      entry.seen = seen;
      const extra = s.phase === "exited" ? { exitCode: s.exitCode, reason: s.reason } : s.phase === "running" ? { ip: o.ip } : {};
      this.options.log.info(`${this.driver.noun} ${s.phase}`, this.fields(o.uid, { attempt: o.attempt, ...extra }));
    }
    this.runner.schedule(o.uid);
  }

  private running(uid: string): boolean {
    const o = this.driver.adapter.observe(uid);
    return o !== undefined && o.state.phase !== "exited";
  }

  private async reconcile(uid: string): Promise<void> {
    const entry = this.entries.get(uid);
    if (!entry || this.closed) return;
    const { driver } = this;
    const { log } = this.options;
    const object = entry.object;
    if (entry.gone || !object) {
      await this.forget(entry);
      return;
    }
    const deleting = object.metadata.deletionTimestamp !== undefined;
    if (deleting || driver.isFinal(object) || entry.lostAt) {
      this.cancelRestart(entry);
      if (this.running(uid)) {
        const grace = driver.gracePeriodSeconds(object);
        log.info(`stopping ${driver.noun}`, this.fields(uid, { why: deleting ? "deleted" : "final on the server", gracePeriodSeconds: grace }));
        await driver.adapter.stop(uid, grace);
      }
      this.report(entry, true);
      return;
    }
    const observation = driver.adapter.observe(uid);
    if (!observation) {
      if (entry.acceptedAt === undefined && driver.isLost(object)) {
        entry.lostAt = formatTime(Date.now());
        log.warn(`${driver.noun} lost with the host, reporting it failed`, this.fields(uid));
        this.report(entry, true);
        return;
      }
      entry.acceptedAt ??= formatTime(Date.now());
      log.info(`starting ${driver.noun}`, this.fields(uid));
      await driver.adapter.start(driver.workload(object));
      this.report(entry, false);
      return;
    }
    const state = observation.state;
    if (state.phase === "exited" && !state.requested && driver.shouldRestart(object, state)) {
      if (entry.restart?.due) {
        entry.restart = undefined;
        log.info(`restarting ${driver.noun}`, this.fields(uid, { restartCount: observation.attempt + 1 }));
        await driver.adapter.start(driver.workload(object));
      } else if (!entry.restart) {
        this.scheduleRestart(entry, state);
      }
      this.report(entry, false);
      return;
    }
    if (state.phase === "running") await this.syncPaused(entry, object, observation.paused === true);
    this.report(entry, state.phase === "exited");
  }

  /** Suspends or resumes a running workload as the object asks (the VMI pause subresource), once per reconcile. */
  private async syncPaused(entry: Entry, object: ApiObject, paused: boolean): Promise<void> {
    const { driver } = this;
    const want = driver.wantsPaused?.(object);
    if (want === undefined || want === paused) return;
    const act = want ? driver.adapter.pause : driver.adapter.unpause;
    if (!act) return;
    this.options.log.info(`${want ? "pausing" : "unpausing"} ${driver.noun}`, this.fields(entry.uid));
    await act.call(driver.adapter, entry.uid);
  }

  /** The object left the API: nothing of it may keep running here. */
  private async forget(entry: Entry): Promise<void> {
    this.cancelRestart(entry);
    if (!entry.object && this.options.held?.(entry.uid)) {
      this.entries.delete(entry.uid);
      return;
    }
    if (this.running(entry.uid)) {
      const grace = entry.object ? this.driver.gracePeriodSeconds(entry.object) : 0;
      this.options.log.info(`stopping ${this.driver.noun}`, this.fields(entry.uid, { why: "gone from the API", gracePeriodSeconds: grace }));
      await this.driver.adapter.stop(entry.uid, grace);
    }
    // It may have come back while we stopped it (a selector flapping): then act on that instead.
    if (!entry.gone) {
      this.runner.schedule(entry.uid);
      return;
    }
    await this.driver.adapter.remove(entry.uid);
    this.entries.delete(entry.uid);
  }

  private scheduleRestart(entry: Entry, exit: Exited): void {
    if (exit.startedAt && Date.parse(exit.finishedAt) - Date.parse(exit.startedAt) > BACKOFF_RESET_MS) entry.backoff.reset();
    const delayMs = entry.backoff.next();
    const restart = { due: false, timer: setTimeout(() => {
      restart.due = true;
      this.runner.schedule(entry.uid);
    }, delayMs) };
    entry.restart = restart;
    this.options.log.info(`back-off restarting ${this.driver.noun}`, this.fields(entry.uid, { delayMs }));
  }

  private cancelRestart(entry: Entry): void {
    if (entry.restart) clearTimeout(entry.restart.timer);
    entry.restart = undefined;
  }

  /** Reports the object's current state, unless it is what was last reported. */
  private report(entry: Entry, stopped: boolean): void {
    const object = entry.object;
    if (!object || entry.gone) return;
    const { driver } = this;
    const item = driver.item(
      { namespace: object.metadata.namespace, name: object.metadata.name, uid: entry.uid, sequence: 0 },
      {
        object, observation: driver.adapter.observe(entry.uid), restartPending: entry.restart !== undefined,
        terminal: object.metadata.deletionTimestamp !== undefined || driver.isFinal(object), lostAt: entry.lostAt,
        hostIP: this.options.hostIP, acceptedAt: entry.acceptedAt,
      },
    );
    const key = JSON.stringify([item.status, stopped]);
    if (key === entry.reported) return;
    entry.reported = key;
    entry.reportedView = statusView(item.status);
    item.sequence = this.options.sequence.next();
    if (stopped) item.stopped = true;
    this.options.reporter.enqueue(item);
  }
}

/**
 * Phase and condition statuses of a status, as a comparable string. With
 * `like` (another view), only the condition types that view names count:
 * the server keeps conditions this host never reports.
 */
export function statusView(status: Record<string, unknown>, like?: string): string {
  const types = like === undefined ? undefined : new Set((JSON.parse(like) as [unknown, [string, unknown][]])[1].map(([t]) => t));
  const conditions = (Array.isArray(status.conditions) ? status.conditions : [])
    .filter((c): c is { type: string; status?: unknown } => typeof c === "object" && c !== null && typeof (c as { type?: unknown }).type === "string")
    .filter((c) => types === undefined || types.has(c.type))
    .map((c): [string, unknown] => [c.type, c.status ?? null])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([status.phase ?? null, conditions]);
}
