/**
 * @module
 * `report`: a host's observation of a pod or VMI bound to it, folded into
 * status by the object's own store, so the checks and the write are one
 * atomic step (invariant 7):
 * - the object must be the one the host saw (uid) and bound to that host
 *   (pods `spec.nodeName`, VMIs `status.nodeName`) — NodeRestriction;
 * - the observation must be newer than the last one applied, a fact the
 *   store keeps beside the object (server-facts.ts), where no client can
 *   write it: an annotation anyone could set would let a user block every
 *   later report. The annotation an earlier version used is ignored and
 *   removed by the next report;
 * - reported status fields replace the stored ones, conditions merge by type,
 *   a VMI's phase change is stamped in phaseTransitionTimestamps, and a VMI's
 *   Paused (PausedByUser) is never re-added by a host (the user's intent);
 * - `stopped` on a deleting object ends its deletion: a pod's grace period is
 *   cut to now, a VMI loses the host finalizer (KubeVirt's
 *   foregroundDeleteVirtualMachine, removed once the domain is gone).
 */
import { VMI_HOST_FINALIZER } from "../../shared/hosts/constants";
import { ApiError, forbidden, notFound } from "../../shared/k8s/errors";
import { deepCopy, isJsonObject, type JsonObject, type KubeObject } from "../../shared/k8s/object";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { prepareUpdate, refOf } from "./write-rules";
import { isConflict } from "../client/errors";
import { formatTime } from "../../shared/k8s/time";
import { handOver, mergeMigrationState, migrationTargetRole } from "./migration-report";

/** Where an earlier version kept the fence (user-writable, so never read): removed by the next report. */
export const LEGACY_SEQUENCE_ANNOTATION = "hosts.duraplane.io/observed-sequence";

/** A host report about one object. */
export interface ReportOp {
  verb: "report";
  node: string;
  uid: string;
  sequence: number;
  status: JsonObject;
  stopped: boolean;
}

type Condition = { type?: unknown; status?: unknown; lastTransitionTime?: unknown; [k: string]: unknown };

function asConditions(value: unknown): Condition[] {
  return Array.isArray(value) ? value.filter((c): c is Condition => typeof c === "object" && c !== null) : [];
}

/** Reported conditions replace stored ones of the same type; a status flip stamps lastTransitionTime. */
function mergeConditions(stored: unknown, reported: unknown, now: string): Condition[] {
  const out = asConditions(stored).map((c) => ({ ...c }));
  for (const r of asConditions(reported)) {
    const i = out.findIndex((c) => c.type === r.type);
    const prev = i >= 0 ? out[i] : undefined;
    const lastTransitionTime = r.lastTransitionTime ??
      (prev && prev.status === r.status && prev.lastTransitionTime ? prev.lastTransitionTime : now);
    const next: Condition = { lastProbeTime: null, ...r, lastTransitionTime };
    if (i >= 0) out[i] = next;
    else out.push(next);
  }
  return out;
}

/**
 * A VMI's Paused=True condition with reason PausedByUser is the user's
 * intent: the pause subresource writes it, unpause removes it, and the host
 * suspends or resumes the domain to match. A host only keeps it while the
 * domain is suspended, so a report may not bring it back once unpause removed
 * it: an observation made before the host saw the unpause (the domain still
 * suspended) would otherwise re-pause the VMI for good.
 */
function withoutPauseIntent(stored: unknown, reported: unknown): unknown {
  const pausedByUser = (c: Condition): boolean => c.type === "Paused" && c.status === "True" && (c.reason === undefined || c.reason === PAUSED_BY_USER);
  if (asConditions(stored).some(pausedByUser)) return reported;
  return Array.isArray(reported) ? asConditions(reported).filter((c) => !pausedByUser(c)) : reported;
}

/** KubeVirt's VirtualMachineInstanceReasonPausedByUser. */
const PAUSED_BY_USER = "PausedByUser";

/**
 * The next state of `current` after a host report (throws 404/403/409 per
 * the rules above); `lastSequence` is the store's fence for this object.
 */
export function planReport(kind: ResourceKind, current: KubeObject, op: ReportOp, now: number, lastSequence: number): KubeObject {
  const name = current.metadata.name ?? "";
  if (current.metadata.uid !== op.uid) throw notFound(refOf(kind), name);
  const bound = kind.boundNode?.(current);
  // Live migration: the target host reports on a VMI not yet bound to it (migration-report.ts).
  const asTarget = bound !== op.node ? migrationTargetRole(current, op.node, op.status) : undefined;
  if (bound !== op.node && asTarget === undefined) {
    throw forbidden(`node "${op.node}" can only report ${kind.plural} bound to it; ${kind.plural} "${name}" is ${bound ? `bound to node "${bound}"` : "not bound to any node"}`);
  }
  if (op.sequence <= lastSequence) {
    throw new ApiError(409, "Conflict", `observation ${op.sequence} of ${kind.plural} "${name}" is not newer than the last applied one (${lastSequence})`);
  }
  const stamp = formatTime(now);
  const oldStatus = (current.status ?? {}) as JsonObject;
  const { migrationState: reportedMigration, ...reported } = op.status;
  const status: JsonObject = { ...deepCopy(oldStatus), ...deepCopy(reported) };
  if (isJsonObject(reportedMigration) && isJsonObject(oldStatus.migrationState)) {
    status.migrationState = mergeMigrationState(deepCopy(oldStatus.migrationState), reportedMigration, asTarget ?? "source");
  }
  if (op.status.conditions !== undefined || oldStatus.conditions !== undefined) {
    const reportedConditions = current.kind === "VirtualMachineInstance" ? withoutPauseIntent(oldStatus.conditions, op.status.conditions) : op.status.conditions;
    status.conditions = mergeConditions(oldStatus.conditions, reportedConditions, stamp) as unknown as JsonObject[];
  }
  // A final phase is final: a late "Running" cannot bring a Succeeded/Failed object back.
  if (typeof oldStatus.phase === "string" && kind.isTerminal?.(current) && status.phase !== oldStatus.phase) {
    status.phase = oldStatus.phase;
  }
  if (current.kind === "VirtualMachineInstance" && status.phase !== oldStatus.phase && typeof status.phase === "string") {
    const stamps = Array.isArray(oldStatus.phaseTransitionTimestamps) ? oldStatus.phaseTransitionTimestamps : [];
    status.phaseTransitionTimestamps = [
      ...stamps.filter((t) => !(typeof t === "object" && t !== null && !Array.isArray(t) && t.phase === status.phase)),
      { phase: status.phase, phaseTransitionTimestamp: stamp },
    ];
  }
  const next = prepareUpdate(kind, current, { ...deepCopy(current), status }, { strict: false, subresource: "status" });
  const meta = next.metadata;
  handOver(next);
  if (meta.annotations?.[LEGACY_SEQUENCE_ANNOTATION] !== undefined) {
    delete meta.annotations[LEGACY_SEQUENCE_ANNOTATION];
    if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
  }
  // A target's domain is not the one the host finalizer waits for.
  if (op.stopped && asTarget === undefined) {
    if (current.kind === "VirtualMachineInstance") {
      meta.finalizers = (meta.finalizers ?? []).filter((f) => f !== VMI_HOST_FINALIZER);
      if (meta.finalizers.length === 0) delete meta.finalizers;
    } else if (meta.deletionTimestamp && Date.parse(meta.deletionTimestamp) > now) {
      // The kubelet's final delete with grace 0 once the containers are gone.
      meta.deletionTimestamp = stamp;
      meta.deletionGracePeriodSeconds = 0;
    }
  }
  return next;
}

/** Whether an error from a report write means "stale observation" rather than a failure. */
export function isStaleReport(err: unknown): boolean {
  return isConflict(err) && err.message.startsWith("observation ");
}

