/**
 * @module
 * Live migration on this host, virt-handler's two roles, level-based per VMI:
 * - **target**: the VMIs labelled `kubevirt.io/migrationTargetNodeName=<this
 *   node>` arrive on their own watch. The runtime prepares an incoming domain
 *   and the address goes into `migrationState.targetNodeAddress`; once the
 *   source reports `completed`, the domain runs here and the report says
 *   `targetNodeDomainDetected` — the server then hands the VMI over (its
 *   nodeName and label switch) and this host's VMI loop takes it from there.
 *   Until then the incoming domain is *held*: the VMI loop, which does not
 *   know it yet, must not stop it (`held`).
 * - **source**: on the VMIs bound here, once the target is ready the runtime
 *   sends (`startTimestamp`), then reports `completed` or `failed`; an
 *   `abortRequested` cancels the transfer (`abortStatus: Succeeded`).
 * A report is sent again when a later view of the VMI still lacks it (it may
 * have been refused as stale while the other host's report won the race).
 */
import type { MigrationReport, ReportItem } from "../shared/hosts/report.ts";
import { formatTime } from "../shared/k8s/time.ts";
import { vmiDriver } from "./kinds/vmi.ts";
import { KeyedRunner } from "./keyed-runner.ts";
import { errorMessage, type Logger } from "./log.ts";
import { type ApiObject, isRecord, keyOf, str } from "./objects.ts";
import { MIGRATION_ABORTED } from "./runtime/vm-migration.ts";
import type { VirtRuntime } from "./runtime/vms.ts";
import type { Sequence } from "./sequence.ts";
import type { WatchEventType, WatchHandler } from "./watch.ts";

/** What the migration roles share with the rest of the agent. */
export interface MigrationAgentOptions {
  nodeName: string;
  vms: VirtRuntime;
  sequence: Sequence;
  reporter: { enqueue(item: ReportItem): void };
  log: Logger;
  /** A report the server does not show yet is sent again after this long. */
  resendAfterMs?: number;
}

interface MigrationState {
  migrationUid?: string;
  sourceNode?: string;
  targetNode?: string;
  targetNodeAddress?: string;
  targetNodeDomainDetected?: boolean;
  startTimestamp?: string;
  completed?: boolean;
  failed?: boolean;
  abortRequested?: boolean;
  abortStatus?: string;
}

interface Track {
  object: ApiObject;
  /** This host's role in the VMI's current migration. */
  role: "source" | "target";
  migrationUid: string;
  /** Target: prepared, and the address; running after the handover. */
  prepared?: string;
  activated?: boolean;
  /** Source: sending; how the transfer ended. */
  sending?: boolean;
  outcome?: Partial<MigrationReport>;
  /** What this host reported (merged), and when, for resends. */
  reported: Partial<MigrationReport>;
  sentAt: number;
  gone?: boolean;
}

function stateOf(object: ApiObject): MigrationState {
  const s = object.status.migrationState;
  return isRecord(s) ? (s as MigrationState) : {};
}

/** The two migration roles of one host. */
export class MigrationAgent {
  private readonly tracks = new Map<string, Track>();
  private readonly holds = new Set<string>();
  /** Migrations handed over to this host: late events of the target watch about them are ignored. */
  private readonly finished = new Set<string>();
  private readonly runner: KeyedRunner;
  private readonly driver: ReturnType<typeof vmiDriver>;

  constructor(private readonly options: MigrationAgentOptions) {
    this.driver = vmiDriver(options.vms);
    this.runner = new KeyedRunner(
      (uid) => this.reconcile(uid),
      (uid, err) => options.log.error("migration reconcile failed", { uid, error: errorMessage(err) }),
    );
  }

  /** Whether the VMI loop must leave workload `uid` alone (an incoming domain not yet handed over). */
  held(uid: string): boolean {
    return this.holds.has(uid);
  }

  /** The handler of the watch of VMIs migrating to this host. */
  readonly targetHandler: WatchHandler<ApiObject> = {
    replace: (items) => {
      const listed = new Set(items.map((i) => i.metadata.uid));
      for (const t of this.tracks.values()) if (t.role === "target" && !listed.has(t.object.metadata.uid)) this.lost(t);
      for (const item of items) this.seen(item, "target");
    },
    apply: (type, item) => (type === "DELETED" ? this.leftTarget(item) : this.seen(item, "target")),
  };

  /** Wraps the VMI loop's handler: the VMIs bound here are also the ones this host may send. */
  tee(inner: WatchHandler<ApiObject>): WatchHandler<ApiObject> {
    return {
      replace: (items) => {
        inner.replace(items);
        for (const item of items) this.bound(item);
      },
      apply: (type: WatchEventType, item) => {
        inner.apply(type, item);
        if (type !== "DELETED") this.bound(item);
        else if (this.tracks.get(item.metadata.uid)?.role === "source") this.tracks.delete(item.metadata.uid);
      },
    };
  }

  /** Resolves once no reconcile runs (tests). */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  /** A VMI bound here: the handover finished (release the hold), or this host is a migration's source. */
  private bound(object: ApiObject): void {
    const uid = object.metadata.uid;
    if (str(object.status.nodeName) === this.options.nodeName && this.holds.delete(uid)) {
      this.options.log.info("vmi handed over to this host", { vmi: keyOf(object), uid });
      this.finished.add(this.tracks.get(uid)?.migrationUid ?? "");
      this.tracks.delete(uid);
    }
    const state = stateOf(object);
    if (state.sourceNode === this.options.nodeName && state.targetNode !== this.options.nodeName && state.migrationUid) {
      this.seen(object, "source");
    }
  }

  private seen(object: ApiObject, role: "source" | "target"): void {
    const uid = object.metadata.uid;
    const migrationUid = stateOf(object).migrationUid ?? "";
    if (role === "target" && (this.finished.has(migrationUid) || str(object.status.nodeName) === this.options.nodeName)) return;
    const track = this.tracks.get(uid);
    if (!track || track.migrationUid !== migrationUid || track.role !== role) {
      if (track && track.role === "target" && !track.activated) void this.options.vms.migration?.abortIncoming(uid);
      this.tracks.set(uid, { object, role, migrationUid, reported: {}, sentAt: 0 });
      if (role === "target") this.holds.add(uid);
    } else {
      track.object = object;
    }
    this.runner.schedule(uid);
  }

  /** The target label went: handed over (the hold goes once the VMI loop has it) or given up. */
  private leftTarget(object: ApiObject): void {
    const track = this.tracks.get(object.metadata.uid);
    if (track?.role === "target" && !track.activated) this.lost(track);
  }

  private lost(track: Track): void {
    track.gone = true;
    this.runner.schedule(track.object.metadata.uid);
  }

  private report(track: Track, fields: Partial<MigrationReport>): void {
    Object.assign(track.reported, fields);
    this.send(track);
  }

  private send(track: Track): void {
    const o = track.object;
    track.sentAt = Date.now();
    this.options.reporter.enqueue({
      kind: "VirtualMachineInstance", namespace: o.metadata.namespace, name: o.metadata.name, uid: o.metadata.uid,
      sequence: this.options.sequence.next(), status: { migrationState: { ...track.reported, migrationUid: track.migrationUid } },
    });
  }

  /** Sends again what the server's view still lacks. */
  private resendIfMissing(track: Track, state: MigrationState): void {
    const missing = Object.entries(track.reported).some(([k, v]) => (state as Record<string, unknown>)[k] !== v);
    if (missing && Date.now() - track.sentAt > (this.options.resendAfterMs ?? 2000)) this.send(track);
  }

  private async reconcile(uid: string): Promise<void> {
    const track = this.tracks.get(uid);
    if (!track) return;
    const state = stateOf(track.object);
    if (track.role === "target") await this.target(track, state);
    else await this.source(track, state);
    if (this.tracks.get(uid) === track) this.resendIfMissing(track, state);
  }

  private async target(track: Track, state: MigrationState): Promise<void> {
    const uid = track.object.metadata.uid;
    const migration = this.options.vms.migration;
    const { log } = this.options;
    if (track.gone || state.failed === true) {
      if (!track.activated) {
        await migration?.abortIncoming(uid);
        this.holds.delete(uid);
        this.tracks.delete(uid);
        log.info("incoming migration dropped", { vmi: keyOf(track.object), uid, failed: state.failed === true });
      }
      return;
    }
    if (!migration) {
      this.report(track, { failed: true, failureReason: "the target host's runtime cannot live-migrate" });
      return;
    }
    if (track.prepared === undefined && track.reported.failed !== true) {
      try {
        const workload = this.driver.workload(track.object);
        const interfaces = Array.isArray(track.object.status.interfaces) ? track.object.status.interfaces : [];
        const first: unknown = interfaces[0];
        const ip = isRecord(first) ? str(first.ipAddress) : undefined;
        track.prepared = await migration.prepareIncoming(workload, ip);
        log.info("prepared incoming migration", { vmi: keyOf(track.object), uid, address: track.prepared });
        this.report(track, { targetNodeAddress: track.prepared });
      } catch (err) {
        log.warn("could not prepare incoming migration", { vmi: keyOf(track.object), uid, error: errorMessage(err) });
        this.report(track, { failed: true, failureReason: errorMessage(err) });
        return;
      }
    }
    if (state.completed === true && track.prepared !== undefined && !track.activated) {
      await migration.finishIncoming(uid);
      track.activated = true;
      log.info("migrated vmi runs on this host", { vmi: keyOf(track.object), uid });
      this.report(track, { targetNodeDomainDetected: true, targetNodeDomainReadyTimestamp: formatTime(Date.now()) });
    }
  }

  private async source(track: Track, state: MigrationState): Promise<void> {
    const uid = track.object.metadata.uid;
    const migration = this.options.vms.migration;
    const { log } = this.options;
    if (state.completed === true || state.failed === true) {
      if (track.sending && state.failed === true) migration?.abortMigration(uid);
      return;
    }
    if (state.abortRequested === true) {
      if (track.sending) migration?.abortMigration(uid);
      else if (track.reported.abortStatus === undefined) {
        this.report(track, { abortStatus: "Succeeded", failed: true, failureReason: MIGRATION_ABORTED, endTimestamp: formatTime(Date.now()) });
      }
      return;
    }
    if (!state.targetNodeAddress || track.sending || track.reported.startTimestamp !== undefined) return;
    if (!migration) {
      this.report(track, { failed: true, failureReason: "the source host's runtime cannot live-migrate", endTimestamp: formatTime(Date.now()) });
      return;
    }
    track.sending = true;
    log.info("migrating vmi", { vmi: keyOf(track.object), uid, target: state.targetNode ?? "", address: state.targetNodeAddress });
    this.report(track, { startTimestamp: formatTime(Date.now()) });
    migration.migrateOut(uid, state.targetNodeAddress).then(
      () => {
        track.sending = false;
        log.info("migration sent", { vmi: keyOf(track.object), uid });
        this.report(track, { completed: true, endTimestamp: formatTime(Date.now()) });
      },
      (err: unknown) => {
        track.sending = false;
        const aborted = errorMessage(err) === MIGRATION_ABORTED;
        log.warn("migration failed", { vmi: keyOf(track.object), uid, error: errorMessage(err), aborted });
        this.report(track, {
          failed: true, failureReason: errorMessage(err), endTimestamp: formatTime(Date.now()),
          ...(aborted ? { abortStatus: "Succeeded" as const } : {}),
        });
      },
    );
  }
}
