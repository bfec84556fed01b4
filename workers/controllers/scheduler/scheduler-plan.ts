/**
 * @module
 * One scheduling pass decided in memory, without I/O: account what bound,
 * non-final pods and VMIs already take on each node, then place every
 * waiting pod and VMI in queue order (priority, then oldest first) on the
 * fitting node with the best LeastAllocated score (ties to the node with fewer workloads, then by name), adding
 * each placement to its node before the next decision — the scheduler
 * cache's "assume" step. The executor (scheduler.ts) then binds.
 */
import { isJsonObject, type Json, type KubeObject } from "../../../shared/k8s/object";
import { numberField, specOf, timeOf } from "../shared/object-fields";
import { type Candidate, fitErrorMessage, leastAllocatedScore, type NodeState, unfitReasons } from "./scheduler-filters";
import { nodeAllocatable, podRequests, vmiRequests } from "./scheduler-resources";
import { awaitsScheduling, boundNode, holdsCapacity } from "./scheduling-keys";
import { migrationTargetOf } from "../migration/migration-fields";

/** A decision to bind `obj` to `node`. */
export interface Placement {
  obj: KubeObject;
  node: string;
}

/** A pod or VMI that stays unbound this pass, with its PodScheduled=False reason and message. */
export interface Unplaced {
  obj: KubeObject;
  reason: "Unschedulable" | "SchedulingGated";
  message: string;
}

/** The outcome of one pass. */
export interface SchedulePlan {
  placements: Placement[];
  unplaced: Unplaced[];
}

/** What a pass reads: every Node, Pod and VMI. */
export interface ScheduleInput {
  nodes: readonly KubeObject[];
  pods: readonly KubeObject[];
  vmis: readonly KubeObject[];
}

/** `podutil` SchedulingGated message. */
export const SCHEDULING_GATED_MESSAGE = "Scheduling is blocked due to non-empty scheduling gates";

function stringMap(value: unknown): Record<string, string> {
  if (!isJsonObject(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

/** What the filters and scores read of a pod or VMI (exported for the migration controller's target choice). */
export function candidateOf(obj: KubeObject): Candidate {
  const spec = specOf(obj);
  const { requests, nonZero } = obj.kind === "Pod" ? podRequests(obj) : vmiRequests(obj);
  const tolerations: Json[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  return { obj, requests, nonZero, nodeSelector: stringMap(spec.nodeSelector), tolerations };
}

/** The scheduling queue's order: higher priority first, then older, then by namespace/name for stability. */
function queueOrder(a: KubeObject, b: KubeObject): number {
  const pa = numberField(specOf(a), "priority", 0);
  const pb = numberField(specOf(b), "priority", 0);
  if (pa !== pb) return pb - pa;
  const ta = timeOf(a.metadata.creationTimestamp) ?? 0;
  const tb = timeOf(b.metadata.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  const ka = `${a.metadata.namespace ?? ""}/${a.metadata.name ?? ""}`;
  const kb = `${b.metadata.namespace ?? ""}/${b.metadata.name ?? ""}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Every node with what bound pods and VMIs, and in-flight migrations on their targets, take on it. */
export function nodeStates(input: ScheduleInput): Map<string, NodeState> {
  const states = new Map<string, NodeState>();
  for (const node of input.nodes) {
    const name = node.metadata.name ?? "";
    states.set(name, {
      name, node, allocatable: nodeAllocatable(node),
      requested: { milliCPU: 0, memory: 0, pods: 0 }, nonZero: { milliCPU: 0, memory: 0 },
    });
  }
  for (const obj of [...input.pods, ...input.vmis]) {
    const state = holdsCapacity(obj) ? states.get(boundNode(obj)) : undefined;
    if (state) assume(state, candidateOf(obj));
    // A VMI migrating in holds its target's capacity too until it runs there (KubeVirt's target pod).
    const target = obj.kind === "VirtualMachineInstance" && holdsCapacity(obj) ? states.get(migrationTargetOf(obj)) : undefined;
    if (target) assume(target, candidateOf(obj));
  }
  return states;
}

/** Adds a placement to its node (the scheduler cache's AssumePod). */
export function assume(state: NodeState, c: Candidate): void {
  state.requested = {
    milliCPU: state.requested.milliCPU + c.requests.milliCPU,
    memory: state.requested.memory + c.requests.memory,
    pods: state.requested.pods + c.requests.pods,
  };
  state.nonZero = { milliCPU: state.nonZero.milliCPU + c.nonZero.milliCPU, memory: state.nonZero.memory + c.nonZero.memory };
}

function gated(obj: KubeObject): boolean {
  const gates = specOf(obj).schedulingGates;
  return obj.kind === "Pod" && Array.isArray(gates) && gates.length > 0;
}

/** Decides one pass: where each waiting pod and VMI goes, and why the rest stay. */
export function planScheduling(input: ScheduleInput): SchedulePlan {
  const states = nodeStates(input);
  const nodes = [...states.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const waiting = [...input.pods, ...input.vmis].filter(awaitsScheduling).sort(queueOrder);
  const plan: SchedulePlan = { placements: [], unplaced: [] };
  for (const obj of waiting) {
    if (gated(obj)) {
      plan.unplaced.push({ obj, reason: "SchedulingGated", message: SCHEDULING_GATED_MESSAGE });
      continue;
    }
    const c = candidateOf(obj);
    const reasons: string[][] = [];
    let best: { state: NodeState; score: number } | undefined;
    for (const state of nodes) {
      const why = unfitReasons(c, state);
      reasons.push(why);
      if (why.length > 0) continue;
      const score = leastAllocatedScore(c, state);
      // Upstream breaks score ties at random; scores are whole numbers, so on
      // big hosts most nodes tie and "first by name" would pile everything on
      // one. Ties go to the node with fewer workloads, then by name.
      if (!best || score > best.score || (score === best.score && state.requested.pods < best.state.requested.pods)) best = { state, score };
    }
    if (!best) {
      plan.unplaced.push({ obj, reason: "Unschedulable", message: fitErrorMessage(nodes.length, reasons) });
      continue;
    }
    assume(best.state, c);
    plan.placements.push({ obj, node: best.state.name });
  }
  return plan;
}
