/**
 * @module
 * The scheduler's Filter plugins, in the default profile's order, each
 * returning upstream's reason text so the FitError message reads the same
 * ("0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient
 * memory."): NodeUnschedulable, TaintToleration (with the not-ready /
 * unreachable taints the node lifecycle controller would add), NodeAffinity
 * (nodeSelector), NodeResourcesFit. The first plugin that rejects a node
 * names the reasons, as the framework stops at the first failing filter.
 */
import { isJsonObject, type Json, type KubeObject } from "../../../shared/k8s/object";
import { getCondition, specOf } from "../shared/object-fields";
import type { NonZero, Resources } from "./scheduler-resources";

/** One pod or VMI to place. */
export interface Candidate {
  obj: KubeObject;
  requests: Resources;
  nonZero: NonZero;
  nodeSelector: Record<string, string>;
  tolerations: Json[];
}

/** A node with what is already placed on it. */
export interface NodeState {
  name: string;
  node: KubeObject;
  allocatable: Resources;
  requested: Resources;
  nonZero: NonZero;
}

/** A taint as the filter sees it. */
export interface Taint {
  key: string;
  value: string;
  effect: string;
}

/** KubeVirt marks a host that cannot run VMs with this label (virt-handler heartbeat). */
export const SCHEDULABLE_LABEL = "kubevirt.io/schedulable";

const UNSCHEDULABLE_TAINT: Taint = { key: "node.kubernetes.io/unschedulable", value: "", effect: "NoSchedule" };
const NOT_READY_TAINT: Taint = { key: "node.kubernetes.io/not-ready", value: "", effect: "NoSchedule" };
const UNREACHABLE_TAINT: Taint = { key: "node.kubernetes.io/unreachable", value: "", effect: "NoSchedule" };

const str = (v: Json | undefined): string => (typeof v === "string" ? v : "");

/** `Toleration.ToleratesTaint`. */
export function tolerates(toleration: Json, taint: Taint): boolean {
  if (!isJsonObject(toleration)) return false;
  const effect = str(toleration.effect);
  const key = str(toleration.key);
  if (effect !== "" && effect !== taint.effect) return false;
  if (key !== "" && key !== taint.key) return false;
  const op = str(toleration.operator);
  if (op === "Exists") return true;
  return (op === "" || op === "Equal") && str(toleration.value) === taint.value;
}

function tolerated(c: Candidate, taint: Taint): boolean {
  return c.tolerations.some((t) => tolerates(t, taint));
}

/** The taints in a Node's spec. */
export function nodeTaints(node: KubeObject): Taint[] {
  const raw = specOf(node).taints;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isJsonObject).map((t) => ({ key: str(t.key), value: str(t.value), effect: str(t.effect) }));
}

/**
 * The taint a node's Ready condition implies: the node lifecycle controller
 * taints a NotReady node `not-ready` and an Unknown one `unreachable`
 * (NoSchedule); kubelets register with `not-ready` until they report Ready.
 */
function readinessTaint(node: KubeObject): Taint | undefined {
  const ready = getCondition(node, "Ready");
  if (ready?.status === "True") return undefined;
  return ready?.status === "Unknown" ? UNREACHABLE_TAINT : NOT_READY_TAINT;
}

function untolerated(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value}}`;
}

function matchesSelector(c: Candidate, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  if (labels[SCHEDULABLE_LABEL] === "false") return false;
  return Object.entries(c.nodeSelector).every(([k, v]) => labels[k] === v);
}

/** NodeResourcesFit's fitsRequest: pods first, then cpu and memory when requested. */
function insufficient(c: Candidate, n: NodeState): string[] {
  const out: string[] = [];
  if (n.requested.pods + c.requests.pods > n.allocatable.pods) out.push("Too many pods");
  if (c.requests.milliCPU > 0 && c.requests.milliCPU > n.allocatable.milliCPU - n.requested.milliCPU) out.push("Insufficient cpu");
  if (c.requests.memory > 0 && c.requests.memory > n.allocatable.memory - n.requested.memory) out.push("Insufficient memory");
  return out;
}

/** Why `n` cannot take `c` (empty when it fits). */
export function unfitReasons(c: Candidate, n: NodeState): string[] {
  if (specOf(n.node).unschedulable === true && !tolerated(c, UNSCHEDULABLE_TAINT)) return ["node(s) were unschedulable"];
  const readiness = readinessTaint(n.node);
  if (readiness && !tolerated(c, readiness)) return [untolerated(readiness)];
  const taint = nodeTaints(n.node).find((t) => (t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerated(c, t));
  if (taint) return [untolerated(taint)];
  if (!matchesSelector(c, n.node)) return ["node(s) didn't match Pod's node affinity/selector"];
  return insufficient(c, n);
}

/**
 * FitError.Error(): "0/N nodes are available: " and the sorted histogram of
 * reasons ("2 Insufficient memory, 1 node(s) were unschedulable" sorted as
 * strings), or ErrNoNodesAvailable when there are no nodes at all.
 */
export function fitErrorMessage(nodeCount: number, reasons: readonly string[][]): string {
  if (nodeCount === 0) return "no nodes available to schedule pods";
  const histogram = new Map<string, number>();
  for (const rs of reasons) for (const r of rs) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  const parts = [...histogram].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${nodeCount} nodes are available${parts.length > 0 ? `: ${parts.join(", ")}.` : "."}`;
}

/**
 * NodeResourcesLeastAllocated: per resource (cpu, memory; weight 1 each)
 * `(allocatable - requested) * 100 / allocatable`, with the candidate's
 * non-zero request added, in integer steps as upstream.
 */
export function leastAllocatedScore(c: Candidate, n: NodeState): number {
  const score = (requested: number, capacity: number): number =>
    capacity === 0 || requested > capacity ? 0 : Math.floor(((capacity - requested) * 100) / capacity);
  const cpu = score(n.nonZero.milliCPU + c.nonZero.milliCPU, n.allocatable.milliCPU);
  const memory = score(n.nonZero.memory + c.nonZero.memory, n.allocatable.memory);
  return Math.floor((cpu + memory) / 2);
}
