/**
 * @module
 * What the node lifecycle controller does to the pods and VMIs bound to a
 * node that went silent: mark them Ready=False (MarkPodsNotReady; the phase
 * is unchanged), and after the eviction timeout evict them — pods are
 * deleted at once (gracePeriodSeconds 0: their host cannot stop them), VMIs
 * go Failed with reason NodeUnresponsive (KubeVirt's node controller), so
 * their ReplicaSets, VMIRSs and VMs replace them elsewhere. The workloads of
 * a Node that no longer exists are orphans and go the same way at once
 * (PodGC's gcOrphaned). Every status write is guarded by the resourceVersion
 * it read.
 */
import { VMI_NODE_NAME_LABEL } from "../../../shared/hosts/constants";
import type { Json, JsonObject, KubeObject } from "../../../shared/k8s/object";
import { writeObject } from "../../objects/client";
import { objectRefOf } from "../../registry";
import { runBounded } from "../../bounded";
import { updatePodCondition } from "../shared/conditions";
import { recordEvent } from "../shared/events";
import { cachedListAll } from "../../client/list-cache";
import { hasCondition, statusOf } from "../shared/object-fields";
import { RESOURCES } from "../replicaset/replicas-sync";
import { boundNode, isFinal } from "../scheduler/scheduling-keys";
import { withVMIPhase } from "../shared/vmi-phase";
import { isNotFound, isConflict } from "../../client/errors";

/** Writes in flight at once. */
const PARALLELISM = 16;
/** The node lifecycle controller's Event source. */
const COMPONENT = "node-controller";
/** KubeVirt's reason for a VMI whose node stopped responding. */
export const NODE_UNRESPONSIVE_REASON = "NodeUnresponsive";

const NOT_READY = { type: "Ready", status: "False", reason: "NodeNotReady", message: "Node is not ready" } as const;

/** The non-final pods and VMIs bound to `node`. */
export async function boundWorkloads(env: Env, node: string): Promise<KubeObject[]> {
  const [pods, vmis] = await Promise.all([
    cachedListAll(env, { resource: RESOURCES.pods, fieldSelector: `spec.nodeName=${node}` }),
    cachedListAll(env, { resource: RESOURCES.vmis, labelSelector: `${VMI_NODE_NAME_LABEL}=${node}` }),
  ]);
  return [...pods, ...vmis].filter((o) => boundNode(o) === node && !isFinal(o));
}

async function writeStatus(env: Env, obj: KubeObject, status: JsonObject): Promise<KubeObject | undefined> {
  try {
    return (await writeObject(env, objectRefOf(obj), { verb: "update", subresource: "status", input: { ...obj, status } as unknown as Json })).object;
  } catch (err) {
    // Changed or gone since the list: the next run (the controller requeues) looks again.
    if (isNotFound(err) || isConflict(err)) return undefined;
    throw err;
  }
}

function notReadyStatus(obj: KubeObject, stamp: string): JsonObject {
  const status = statusOf(obj);
  const conditions: Json[] = Array.isArray(status.conditions) ? status.conditions : [];
  return { ...status, conditions: updatePodCondition(conditions, NOT_READY, stamp).conditions };
}

async function markNotReady(env: Env, obj: KubeObject, stamp: string): Promise<void> {
  if (hasCondition(obj, "Ready", "False")) return;
  const written = await writeStatus(env, obj, notReadyStatus(obj, stamp));
  if (written && obj.kind === "Pod") await recordEvent(env, written, "Warning", "NodeNotReady", "Node is not ready", COMPONENT);
}

async function evict(env: Env, obj: KubeObject, stamp: string): Promise<void> {
  const ref = objectRefOf(obj);
  if (obj.kind === "VirtualMachineInstance") {
    const status = { ...withVMIPhase(notReadyStatus(obj, stamp), "Failed", stamp), reason: NODE_UNRESPONSIVE_REASON };
    await writeStatus(env, obj, status);
    return;
  }
  await recordEvent(env, obj, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${ref.namespace}/${ref.name}`, COMPONENT);
  try {
    await writeObject(env, ref, { verb: "delete", options: { gracePeriodSeconds: 0, preconditions: { uid: obj.metadata.uid ?? "" } } });
  } catch (err) {
    if (!(isNotFound(err) || isConflict(err))) throw err;
  }
}

/**
 * Marks every non-final workload of `node` Ready=False, or evicts them (a
 * silent node past the eviction timeout, or a Node that was deleted);
 * throws if a write failed.
 */
export async function handleWorkloads(env: Env, node: string, action: "notReady" | "evict", stamp: string): Promise<void> {
  const workloads = await boundWorkloads(env, node);
  const run = action === "evict" ? evict : markNotReady;
  const errors = await runBounded(workloads.map((obj) => () => run(env, obj, stamp)), PARALLELISM);
  if (errors.length > 0) {
    const first = errors[0] instanceof Error ? errors[0].message : String(errors[0]);
    throw new Error(`node ${node}: ${errors.length} workload write(s) failed; first: ${first}`);
  }
}
