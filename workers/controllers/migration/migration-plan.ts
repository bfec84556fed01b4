/**
 * @module
 * One pass of the migration controller decided in memory, without I/O
 * (KubeVirt's pkg/virt-controller/watch/migration, reduced to what a host
 * here does): every migration moves at most one step per pass, in creation
 * order, so the bounds (parallel migrations per cluster and outbound per
 * source node) and the target reservations are counted as the pass goes.
 *
 * Pending → Scheduling (a slot is free) → Scheduled (a target fits) →
 * PreparingTarget (the VMI carries `status.migrationState` and the target
 * label) → TargetReady (the target host reported its address) → Running
 * (the source host started sending) → Succeeded (the source completed and
 * the target took the VMI over). Failed when a host reports failure, the
 * target or source Node is not Ready before completion, or nothing fits for
 * too long. Deleting the migration before the handover aborts it.
 */
import type { JsonObject, KubeObject } from "../../../shared/k8s/object";
import { formatTime } from "../../../shared/k8s/time";
import type { MigrationState } from "../../../shared/schemas";
import { withVMIPhase } from "../shared/vmi-phase";
import { getCondition, isDeleting, phaseOf, statusOf, stringField, timeOf } from "../shared/object-fields";
import { assume, candidateOf, nodeStates } from "../scheduler/scheduler-plan";
import { leastAllocatedScore, type NodeState, unfitReasons } from "../scheduler/scheduler-filters";
import { isMigrationFinal, isStateActive, MIGRATION_FINALIZER, migrationStateOf, vmiNameOf } from "./migration-fields";

/** KubeVirt's defaults: `parallelMigrationsPerCluster` 5, `parallelOutboundMigrationsPerNode` 2. */
export interface MigrationLimits {
  perCluster: number;
  perNode: number;
}

/** See MigrationLimits. */
export const DEFAULT_MIGRATION_LIMITS: MigrationLimits = { perCluster: 5, perNode: 2 };

/** KubeVirt's `defaultUnschedulablePendingTimeoutSeconds`: a migration whose target never fits fails after this. */
export const UNSCHEDULABLE_TIMEOUT_MS = 5 * 60 * 1000;
/** KubeVirt's `defaultCatchAllPendingTimeoutSeconds` is 15 min; a target host that never answers fails the migration after this. */
export const TARGET_TIMEOUT_MS = 5 * 60 * 1000;

/** The phases that hold a slot (KubeVirt counts every migration that left Pending and is not final). */
const ACTIVE_PHASES: ReadonlySet<string> = new Set(["Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running"]);

/** One write the executor makes (migration-controller.ts). */
export type MigrationStep =
  /** Write the migration's status (phase, copied migrationState); `finalize` adds the finalizer first. */
  | { kind: "status"; migration: KubeObject; status: JsonObject; finalize?: boolean; event?: { type: "Normal" | "Warning"; reason: string; message: string } }
  /** Hand the VMI to the target: its migrationState and target label, then the migration to PreparingTarget. */
  | { kind: "handoff"; migration: KubeObject; vmi: KubeObject; state: MigrationState; status: JsonObject }
  /** Mark the VMI's migration failed (when it is this one's and still active), drop the target label, fail the migration. */
  | { kind: "fail"; migration: KubeObject; vmi?: KubeObject; state?: MigrationState; status: JsonObject; reason: string }
  /** Ask the source host to abort (deleted while sending). */
  | { kind: "abort"; migration: KubeObject; vmi: KubeObject }
  /** The migration no longer holds anything: drop the VMI's target label if it is still there, then the finalizer. */
  | { kind: "release"; migration: KubeObject; vmi?: KubeObject };

/** What a pass reads. */
export interface MigrationInput {
  migrations: readonly KubeObject[];
  vmis: readonly KubeObject[];
  nodes: readonly KubeObject[];
  pods: readonly KubeObject[];
  limits: MigrationLimits;
  now: number;
}

/** The outcome of a pass: the writes, and whether anything is still in flight (poll for node failures). */
export interface MigrationPlan {
  steps: MigrationStep[];
  active: boolean;
}

const key = (o: KubeObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

function byCreation(a: KubeObject, b: KubeObject): number {
  const d = (timeOf(a.metadata.creationTimestamp) ?? 0) - (timeOf(b.metadata.creationTimestamp) ?? 0);
  return d !== 0 ? d : key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/** The migration's own copy of the state (its status.migrationState). */
function ownState(m: KubeObject): MigrationState {
  const s = statusOf(m).migrationState;
  return typeof s === "object" && s !== null && !Array.isArray(s) ? (s as MigrationState) : {};
}

function nodeReady(nodes: ReadonlyMap<string, KubeObject>, name: string): boolean {
  return getCondition(nodes.get(name), "Ready")?.status === "True";
}

function phaseStamp(m: KubeObject, phase: string): number | undefined {
  const stamps = statusOf(m).phaseTransitionTimestamps;
  if (!Array.isArray(stamps)) return undefined;
  for (const t of stamps) {
    if (typeof t === "object" && t !== null && !Array.isArray(t) && t.phase === phase) return timeOf(t.phaseTransitionTimestamp);
  }
  return undefined;
}

/** The best node for `vmi` other than its source, as the scheduler's filters and score would pick it. */
export function pickTarget(states: ReadonlyMap<string, NodeState>, vmi: KubeObject, source: string): NodeState | undefined {
  const c = candidateOf(vmi);
  let best: { state: NodeState; score: number } | undefined;
  for (const state of [...states.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (state.name === source || unfitReasons(c, state).length > 0) continue;
    const score = leastAllocatedScore(c, state);
    if (!best || score > best.score || (score === best.score && state.requested.pods < best.state.requested.pods)) best = { state, score };
  }
  return best?.state;
}

class Pass {
  readonly steps: MigrationStep[] = [];
  active = false;
  private readonly vmis: Map<string, KubeObject>;
  private readonly nodes: Map<string, KubeObject>;
  private readonly states: Map<string, NodeState>;
  private readonly stamp: string;
  private clusterActive = 0;
  private readonly nodeActive = new Map<string, number>();

  constructor(private readonly input: MigrationInput) {
    this.vmis = new Map(input.vmis.map((v) => [key(v), v]));
    this.nodes = new Map(input.nodes.map((n) => [n.metadata.name ?? "", n]));
    this.states = nodeStates({ nodes: input.nodes, pods: input.pods, vmis: input.vmis });
    this.stamp = formatTime(input.now);
    for (const m of input.migrations) {
      if (!ACTIVE_PHASES.has(phaseOf(m))) continue;
      this.clusterActive++;
      const source = ownState(m).sourceNode ?? "";
      this.nodeActive.set(source, (this.nodeActive.get(source) ?? 0) + 1);
    }
  }

  private status(m: KubeObject, phase: string, state?: MigrationState): JsonObject {
    let status: JsonObject = { ...statusOf(m) };
    // Every phase passed is stamped, also when one pass moves through several.
    const order = ["Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running"];
    const from = order.indexOf(phaseOf(m));
    const to = order.indexOf(phase);
    if (from >= 0 && to > from) for (const p of order.slice(from + 1, to)) status = withVMIPhase(status, p, this.stamp);
    status = withVMIPhase(status, phase, this.stamp);
    if (state) status.migrationState = state as JsonObject;
    return status;
  }

  private fail(m: KubeObject, vmi: KubeObject | undefined, reason: string): void {
    const state = migrationStateOf(vmi);
    const ours = vmi !== undefined && state.migrationUid === m.metadata.uid;
    const failed: MigrationState | undefined = ours && isStateActive(state)
      ? { ...state, failed: true, failureReason: reason, endTimestamp: this.stamp }
      : undefined;
    this.steps.push({
      kind: "fail", migration: m, vmi: ours ? vmi : undefined, state: failed, reason,
      status: this.status(m, "Failed", failed ?? (ours ? state : ownState(m))),
    });
  }

  run(m: KubeObject): void {
    const vmi = this.vmis.get(`${m.metadata.namespace ?? ""}/${vmiNameOf(m)}`);
    const state = migrationStateOf(vmi);
    const ours = vmi !== undefined && state.migrationUid === m.metadata.uid;
    const phase = phaseOf(m) || "Pending";
    const holds = (m.metadata.finalizers ?? []).includes(MIGRATION_FINALIZER);
    if (isMigrationFinal(m)) {
      if (isDeleting(m) && holds) this.steps.push({ kind: "release", migration: m, vmi: ours ? vmi : undefined });
      return;
    }
    this.active = true;
    if (isDeleting(m)) return this.cancel(m, vmi, ours ? state : undefined, holds);
    if (!vmi) return this.fail(m, undefined, `Unable to locate VMI ${vmiNameOf(m)}`);
    if (phaseOf(vmi) === "Succeeded" || phaseOf(vmi) === "Failed") return this.fail(m, vmi, `VMI ${vmiNameOf(m)} is in phase ${phaseOf(vmi)}`);
    if (phase === "Pending") return this.admit(m, vmi, state);
    if (phase === "Scheduling") return this.schedule(m, vmi);
    if (phase === "Scheduled") return this.handoff(m, vmi, state);
    this.follow(m, vmi, ours ? state : undefined);
  }

  /** Deleted before the end: abort (KubeVirt's abortRequested), then let the finalizer go. */
  private cancel(m: KubeObject, vmi: KubeObject | undefined, state: MigrationState | undefined, holds: boolean): void {
    if (!state || !isStateActive(state) || !vmi) {
      if (holds) this.steps.push({ kind: "release", migration: m, vmi: state ? vmi : undefined });
      return;
    }
    if (state.startTimestamp === undefined) {
      // Nothing is being sent yet: the abort is ours to finish.
      const aborted: MigrationState = { ...state, abortRequested: true, abortStatus: "Succeeded", failed: true, failureReason: "Migration aborted", endTimestamp: this.stamp };
      this.steps.push({ kind: "fail", migration: m, vmi, state: aborted, reason: "Migration aborted", status: this.status(m, "Failed", aborted) });
      return;
    }
    if (state.abortRequested !== true) this.steps.push({ kind: "abort", migration: m, vmi });
    // Otherwise the source host answers with abortStatus and failed (or completes first).
  }

  private admit(m: KubeObject, vmi: KubeObject, state: MigrationState): void {
    if (phaseOf(vmi) !== "Running") return; // waits for the VMI to run
    if (isStateActive(state) && state.migrationUid !== m.metadata.uid) return; // one at a time per VMI
    const source = stringField(statusOf(vmi), "nodeName");
    const onNode = this.nodeActive.get(source) ?? 0;
    if (this.clusterActive >= this.input.limits.perCluster || onNode >= this.input.limits.perNode) return;
    this.clusterActive++;
    this.nodeActive.set(source, onNode + 1);
    this.steps.push({ kind: "status", migration: m, status: this.status(m, "Scheduling", { sourceNode: source }), finalize: true });
  }

  private schedule(m: KubeObject, vmi: KubeObject): void {
    const source = stringField(statusOf(vmi), "nodeName");
    const target = pickTarget(this.states, vmi, source);
    if (!target) {
      const since = phaseStamp(m, "Scheduling") ?? this.input.now;
      if (this.input.now - since > UNSCHEDULABLE_TIMEOUT_MS) this.fail(m, vmi, "no node can take the VMI: the migration target is unschedulable");
      return;
    }
    assume(target, candidateOf(vmi));
    this.steps.push({
      kind: "status", migration: m, status: this.status(m, "Scheduled", { sourceNode: source, targetNode: target.name }),
      event: { type: "Normal", reason: "SuccessfulCreate", message: `Picked node ${target.name} as the migration target of VMI ${vmiNameOf(m)}` },
    });
  }

  private handoff(m: KubeObject, vmi: KubeObject, current: MigrationState): void {
    const target = ownState(m).targetNode ?? "";
    const source = stringField(statusOf(vmi), "nodeName");
    if (isStateActive(current) && current.migrationUid !== m.metadata.uid) {
      return this.fail(m, vmi, `in-flight migration detected. Active migration job (${current.migrationUid ?? ""}) is currently already in progress for VMI ${vmiNameOf(m)}.`);
    }
    if (!nodeReady(this.nodes, target)) return this.fail(m, vmi, `target node ${target} is not ready`);
    const state: MigrationState = { migrationUid: m.metadata.uid ?? "", sourceNode: source, targetNode: target, mode: "PreCopy" };
    this.steps.push({ kind: "handoff", migration: m, vmi, state, status: this.status(m, "PreparingTarget", state) });
  }

  /** PreparingTarget, TargetReady, Running: follow what the hosts report on the VMI. */
  private follow(m: KubeObject, vmi: KubeObject, state: MigrationState | undefined): void {
    if (!state) return this.fail(m, vmi, "the VMI no longer carries this migration's state");
    const phase = phaseOf(m);
    if (state.failed === true) return this.fail(m, vmi, state.failureReason ?? "migration failed");
    const target = state.targetNode ?? "";
    if (state.completed === true && stringField(statusOf(vmi), "nodeName") === target) {
      this.steps.push({
        kind: "status", migration: m, status: this.status(m, "Succeeded", state),
        event: { type: "Normal", reason: "SuccessfulMigration", message: `VMI ${vmiNameOf(m)} migrated from ${state.sourceNode ?? ""} to ${target}` },
      });
      return;
    }
    if (state.completed !== true) {
      if (!nodeReady(this.nodes, target)) return this.fail(m, vmi, `target node ${target} is not ready`);
      if (!nodeReady(this.nodes, state.sourceNode ?? "")) return this.fail(m, vmi, `source node ${state.sourceNode ?? ""} is not ready`);
    }
    let next = phase;
    if (next === "PreparingTarget" && state.targetNodeAddress) next = "TargetReady";
    if (next === "TargetReady" && state.startTimestamp) next = "Running";
    if (next === "PreparingTarget" && this.input.now - (phaseStamp(m, "PreparingTarget") ?? this.input.now) > TARGET_TIMEOUT_MS) {
      return this.fail(m, vmi, `target node ${target} did not prepare the migration in time`);
    }
    if (next !== phase || JSON.stringify(ownState(m)) !== JSON.stringify(state)) {
      this.steps.push({ kind: "status", migration: m, status: this.status(m, next, state) });
    }
  }
}

/** Decides one pass over every migration. */
export function planMigrations(input: MigrationInput): MigrationPlan {
  const pass = new Pass(input);
  for (const m of [...input.migrations].sort(byCreation)) pass.run(m);
  return { steps: pass.steps, active: pass.active };
}
