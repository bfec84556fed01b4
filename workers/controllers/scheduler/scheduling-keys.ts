/**
 * @module
 * Which changes of Pods, VMIs and Nodes concern the scheduler, the VMI
 * termination controller and the node lifecycle controller — the event
 * handlers upstream's informers register (the scheduler's
 * addPodToSchedulingQueue / updateNodeInSchedulingQueue /
 * deletePodFromCache, the node lifecycle controller's node handlers), here
 * as pure functions from a committed change to keys.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import type { EventType } from "../../objects/collection-store";
import { VMI_HOST_FINALIZER } from "../../../shared/hosts/constants";
import type { ReconcileKey } from "../runtime/keys";
import { getCondition, isDeleting, phaseOf, specOf, statusOf, stringField } from "../shared/object-fields";
import { kindOf } from "../../registry";

/** The scheduler's profile name (`v1.DefaultSchedulerName`). */
export const DEFAULT_SCHEDULER = "default-scheduler";

/** The one key the scheduler runs under: one Reconciler serialises all placements, so its accounting is consistent. */
export const SCHEDULER_KEY: ReconcileKey = { controller: "scheduler", namespace: "", name: DEFAULT_SCHEDULER };

const POD = "Pod";
const VMI = "VirtualMachineInstance";

/** The node a pod or VMI is bound to, or "" (its kind's boundNode rule). */
export function boundNode(obj: KubeObject): string {
  return kindOf(obj)?.boundNode?.(obj) ?? "";
}

/** Pod or VMI phase Succeeded or Failed (its kind's isTerminal rule). */
export function isFinal(obj: KubeObject): boolean {
  return kindOf(obj)?.isTerminal?.(obj) ?? false;
}

function ourScheduler(obj: KubeObject): boolean {
  const name = stringField(specOf(obj), "schedulerName");
  return name === "" || name === DEFAULT_SCHEDULER;
}

/** An unbound, live pod (Pending) or VMI (Pending/Scheduling) this scheduler should place. */
export function awaitsScheduling(obj: KubeObject): boolean {
  if (obj.kind !== POD && obj.kind !== VMI) return false;
  if (boundNode(obj) !== "" || isDeleting(obj) || !ourScheduler(obj)) return false;
  const phase = phaseOf(obj);
  return obj.kind === POD ? phase === "" || phase === "Pending" : phase === "" || phase === "Pending" || phase === "Scheduling";
}

/** A bound, non-final pod or VMI: it takes its node's capacity. */
export function holdsCapacity(obj: KubeObject): boolean {
  return (obj.kind === POD || obj.kind === VMI) && boundNode(obj) !== "" && !isFinal(obj);
}

/** A deleting VMI still held by the host finalizer. */
export function awaitsTermination(obj: KubeObject): boolean {
  return obj.kind === VMI && isDeleting(obj) && (obj.metadata.finalizers ?? []).includes(VMI_HOST_FINALIZER);
}

/** What the scheduler reads of a Node; a heartbeat alone changes none of it. */
function nodeSchedulingView(node: KubeObject): string {
  const status = statusOf(node);
  const ready = getCondition(node, "Ready");
  return JSON.stringify([
    node.metadata.labels ?? {}, specOf(node).unschedulable ?? false, specOf(node).taints ?? [],
    status.allocatable ?? null, status.capacity ?? null, ready?.status ?? "",
  ]);
}

function schedulerConcerned(obj: KubeObject, prev: KubeObject | null, type: EventType | undefined): boolean {
  if (obj.kind === "Node") {
    if (type === "DELETED") return false; // a node going away frees nothing
    return prev === null ? type !== undefined : nodeSchedulingView(prev) !== nodeSchedulingView(obj);
  }
  const live = type !== "DELETED";
  if (live && awaitsScheduling(obj)) {
    // Its own Unschedulable condition write changes only status: no new attempt for that.
    return prev === null || !awaitsScheduling(prev) || JSON.stringify(prev.spec) !== JSON.stringify(obj.spec);
  }
  // Capacity frees when a bound pod or VMI finishes or goes away.
  return prev !== null && holdsCapacity(prev) && (!live || !holdsCapacity(obj));
}

/**
 * The scheduler, VMI termination and node lifecycle keys a committed change
 * enqueues. `prev` is null for a create or a resync; `type` is undefined for
 * a resync.
 */
export function schedulingKeys(obj: KubeObject, prev: KubeObject | null, type?: EventType): ReconcileKey[] {
  if (obj.kind !== POD && obj.kind !== VMI && obj.kind !== "Node") return [];
  const keys: ReconcileKey[] = [];
  if (schedulerConcerned(obj, prev, type)) keys.push(SCHEDULER_KEY);
  const name = obj.metadata.name ?? "";
  if (type !== "DELETED" && awaitsTermination(obj)) {
    keys.push({ controller: "vmitermination", namespace: obj.metadata.namespace ?? "", name });
  }
  // A deleted Node too: its pods and VMIs are orphans the node lifecycle controller collects (PodGC).
  if (obj.kind === "Node") keys.push({ controller: "nodelifecycle", namespace: "", name });
  return keys;
}

/** Kinds whose collections run the periodic resync for these controllers. */
export function isSchedulingKind(kind: string): boolean {
  return kind === POD || kind === VMI || kind === "Node";
}
