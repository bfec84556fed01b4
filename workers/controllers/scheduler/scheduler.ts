/**
 * @module
 * The scheduler (kube-scheduler's default profile, reduced to what a host
 * here offers): one key, one Reconciler, so every placement of a pass sees
 * the ones before it. A pass lists Nodes, Pods and VMIs, decides all
 * placements in memory (scheduler-plan.ts), binds them a bounded number at a
 * time through the `bind` write, marks what stays unplaced
 * PodScheduled=False (only when that changed) and records upstream's Events
 * without waiting for them (event-broadcaster.ts).
 * While anything is unschedulable it asks to run again, so capacity that
 * appears without a trigger is still used.
 */
import type { Json, KubeObject } from "../../../shared/k8s/object";
import { writeObject } from "../../objects/client";
import { objectRefOf, resourceKey } from "../../registry";
import { runBounded } from "../../bounded";
import { emitEvent } from "../shared/event-broadcaster";
import { sharedListAll } from "../../client/list-cache";
import type { ReconcileResult } from "../runtime/reconciler";
import { RESOURCES } from "../replicaset/replicas-sync";
import { type Placement, planScheduling, type Unplaced } from "./scheduler-plan";
import { unplacedStatus } from "./scheduler-status";
import { DEFAULT_SCHEDULER } from "./scheduling-keys";
import { isNotFound, isConflict } from "../../client/errors";
import { formatTime } from "../../../shared/k8s/time";
import { recordScheduleAttempt } from "../../metrics/scheduler-metrics";

/**
 * Binds and status writes in flight at once. Upstream binds each pod in a
 * goroutine of its own, unbounded (its `parallelism` of 16 is for filtering
 * and scoring). The pass binds at most this many at a time: at 16 the binds
 * were the fleet's critical path (creation → bound p95 18.7 s of a 20.6 s
 * creation → Running); at 64 it is 11 s (bench/README, fleet).
 */
export const BIND_PARALLELISM = 64;
/** How soon a pass runs again while something is unschedulable (upstream's podMaxInUnschedulablePodsDuration is 5 min; events usually come first). */
export const RETRY_UNSCHEDULABLE_SECONDS = 10;

const NODES = resourceKey({ group: "", plural: "nodes" });

/** A write that lost to a change made since the list (bound, deleted, modified): the next pass sees it. */
function isStale(err: unknown): boolean {
  return isNotFound(err) || isConflict(err);
}

async function bind(env: Env, p: Placement): Promise<void> {
  const ref = objectRefOf(p.obj);
  try {
    const written = await writeObject(env, ref, { verb: "bind", node: p.node, preconditions: { uid: p.obj.metadata.uid ?? "" } });
    recordScheduleAttempt("scheduled", p.obj);
    // Off the bind's path, as upstream's recorder (event-broadcaster.ts): the pass waits for binds only.
    emitEvent(env, written.object, "Normal", "Scheduled", `Successfully assigned ${ref.namespace}/${ref.name} to ${p.node}`, DEFAULT_SCHEDULER);
  } catch (err) {
    if (isStale(err)) return;
    recordScheduleAttempt("error", p.obj);
    throw err;
  }
}

async function markUnplaced(env: Env, u: Unplaced, stamp: string): Promise<void> {
  if (u.reason === "Unschedulable") recordScheduleAttempt("unschedulable", u.obj);
  const status = unplacedStatus(u, stamp);
  if (!status) return;
  try {
    // The listed object carries its resourceVersion: a pod changed since the list is left to the next pass.
    const written = await writeObject(env, objectRefOf(u.obj), {
      verb: "update", subresource: "status", input: { ...u.obj, status } as unknown as Json,
    });
    if (u.reason === "Unschedulable") emitEvent(env, written.object, "Warning", "FailedScheduling", u.message, DEFAULT_SCHEDULER);
  } catch (err) {
    if (!isStale(err)) throw err;
  }
}

/**
 * One scheduling pass. Without any Node there is nowhere to schedule and
 * nothing is written: pods and VMIs stay as they are (the API-only mode
 * before the first host joins); the first Node's creation triggers a pass.
 */
export async function reconcileScheduler(env: Env, now: Date = new Date()): Promise<ReconcileResult> {
  const nodes = await sharedListAll(env, { resource: NODES });
  if (nodes.length === 0) return {};
  const [pods, vmis] = await Promise.all([sharedListAll(env, { resource: RESOURCES.pods }), sharedListAll(env, { resource: RESOURCES.vmis })]);
  const plan = planScheduling({ nodes, pods, vmis });
  const stamp = formatTime(now.getTime());
  const errors = await runBounded([
    ...plan.placements.map((p) => () => bind(env, p)),
    ...plan.unplaced.map((u) => () => markUnplaced(env, u, stamp)),
  ], BIND_PARALLELISM);
  if (errors.length > 0) {
    throw new Error(`scheduling pass: ${errors.length} write(s) failed; first: ${errors[0] instanceof Error ? errors[0].message : String(errors[0])}`);
  }
  const waiting = plan.unplaced.some((u) => u.reason === "Unschedulable");
  return waiting ? { requeueAfterSeconds: RETRY_UNSCHEDULABLE_SECONDS } : {};
}
