/**
 * @module
 * The node lifecycle controller's executor, one key per Node: reads the
 * Node, asks `assessNode` where its heartbeat stands, marks a silent node
 * Unknown (guarded by the resourceVersion it read, so a heartbeat that lands
 * in between is never overwritten — the conflict just requeues), marks its
 * workloads NotReady, evicts them after the eviction timeout (re-reading
 * the Node first), and always asks to run again at the next deadline, so a
 * node that falls silent is noticed with no other trigger. Evictions wait
 * while the node's zone, or every zone, is disrupted (node-disruption.ts). A deleted Node's
 * workloads are evicted at once (PodGC's orphans). Silence before
 * `observingSince` (when this key's Reconciler started) is not held against
 * the node: see node-lifecycle-policy.ts. A node's heartbeat is when the
 * server saw it change (the Node store's `heartbeatSeenAt`), not the time
 * the node wrote.
 */
import type { Json, KubeObject } from "../../../shared/k8s/object";
import { findObject, objectStub, writeObject } from "../../objects/client";
import { resourceKey } from "../../registry";
import { recordEvent } from "../shared/events";
import type { ReconcileKey } from "../runtime/keys";
import { assessNode, type NodeLifecycleOptions, nodeLifecycleOptions, unknownConditions } from "./node-lifecycle-policy";
import { boundWorkloads, handleWorkloads } from "./node-workloads";
import { evacuateVMIs } from "../disruption/vmi-evacuation";
import { evictForNoExecuteTaints, hasNoExecuteTaint } from "./taint-eviction";
import { cachedListAll } from "../../client/list-cache";
import { evictionHalt } from "./node-disruption";
import { getCondition, specOf, statusOf } from "../shared/object-fields";
import type { ReconcileResult } from "../runtime/reconciler";
import { isNotFound, isConflict } from "../../client/errors";
import { formatTime } from "../../../shared/k8s/time";

const NODES = resourceKey({ group: "", plural: "nodes" });
/** The Node changed under us (a heartbeat): look again this soon. */
const RETRY_SECONDS = 1;
/** While evictions are halted by a disruption, look again this often (upstream's node monitor period). */
const HALTED_RECHECK_SECONDS = 5;
const COMPONENT = "node-controller";

const refOf = (name: string) => ({ resource: NODES, namespace: "", name });

/** When the server last saw Node `name`'s heartbeat change (ms), if ever. */
async function heartbeatSeenAt(env: Env, name: string): Promise<number | undefined> {
  return objectStub(env, refOf(name)).fact("heartbeatSeenAt");
}

/** What a run may be given instead of the Worker's vars and clock (tests). */
export interface NodeLifecycleRun {
  opts?: NodeLifecycleOptions;
  now?: Date;
  /** When the controller began observing this node (ms); silence before it is not counted. */
  observingSince?: number;
}

/** One reconcile of a Node's health. */
export async function reconcileNodeLifecycle(env: Env, key: ReconcileKey, run: NodeLifecycleRun = {}): Promise<ReconcileResult> {
  const { opts = nodeLifecycleOptions(env), now = new Date(), observingSince } = run;
  const ref = refOf(key.name);
  const node = await findObject(env, ref);
  if (!node) {
    // The Node is gone (deleted, or a host that will never come back): what is still bound to it
    // can never run, so it is evicted now, as PodGC collects pods of nonexistent nodes.
    await handleWorkloads(env, key.name, "evict", formatTime(now.getTime()));
    return {};
  }
  if (specOf(node).unschedulable === true) {
    // A cordoned host is being emptied for maintenance: its VMIs follow their evictionStrategy.
    const vmis = (await boundWorkloads(env, key.name)).filter((o) => o.kind === "VirtualMachineInstance");
    await evacuateVMIs(env, key.name, vmis);
  }
  // Only a NoExecute taint costs a list of the node's workloads (heartbeats run this often).
  const taintRecheck = hasNoExecuteTaint(node)
    ? await evictForNoExecuteTaints(env, node, await boundWorkloads(env, key.name), now.getTime())
    : undefined;
  const health = assessNode(node, await heartbeatSeenAt(env, key.name), now.getTime(), opts, observingSince);
  const stamp = formatTime(now.getTime());
  const conditions = health.stale ? unknownConditions(node, stamp) : undefined;
  if (conditions) {
    try {
      const written = await writeObject(env, ref, {
        verb: "update", subresource: "status", input: { ...node, status: { ...statusOf(node), conditions } } as unknown as Json,
      });
      // RecordNodeStatusChange(…, "NodeNotReady")
      await recordEvent(env, written.object, "Normal", "NodeNotReady", `Node ${key.name} status is now: NodeNotReady`, COMPONENT);
    } catch (err) {
      if (isConflict(err)) return { requeueAfterSeconds: RETRY_SECONDS };
      if (isNotFound(err)) return {};
      throw err;
    }
  }
  if (health.evict) {
    // Eviction cannot be undone: make sure no heartbeat arrived since the read.
    const fresh = await findObject(env, ref);
    if (!fresh || !assessNode(fresh, await heartbeatSeenAt(env, key.name), now.getTime(), opts, observingSince).evict) {
      return { requeueAfterSeconds: RETRY_SECONDS };
    }
    const nodes = await cachedListAll(env, { resource: NODES });
    const seen = new Map(await Promise.all(nodes.map(async (n) => {
      const name = n.metadata.name ?? "";
      return [name, await heartbeatSeenAt(env, name)] as const;
    })));
    const isReady = (n: KubeObject): boolean =>
      getCondition(n, "Ready")?.status === "True" && !assessNode(n, seen.get(n.metadata.name ?? ""), now.getTime(), opts, observingSince).stale;
    const halt = evictionHalt(fresh, nodes, isReady);
    if (halt) {
      console.warn(`node-controller: not evicting the workloads of node ${key.name}: ${halt}`);
      await handleWorkloads(env, key.name, "notReady", stamp);
      return { requeueAfterSeconds: Math.min(health.requeueAfterSeconds, HALTED_RECHECK_SECONDS) };
    }
    await handleWorkloads(env, key.name, "evict", stamp);
  } else if (health.workloadsNotReady) {
    await handleWorkloads(env, key.name, "notReady", stamp);
  }
  return { requeueAfterSeconds: Math.min(health.requeueAfterSeconds, taintRecheck ?? Infinity) };
}
