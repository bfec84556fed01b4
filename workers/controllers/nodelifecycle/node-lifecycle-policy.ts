/**
 * @module
 * The node lifecycle controller's decisions, pure and with `now` and the
 * timeouts injected (pkg/controller/nodelifecycle monitorNodeHealth /
 * tryUpdateNodeHealth): a node last heard from longer ago than the grace
 * period is marked Unknown and its workloads NotReady;
 * one silent for the grace period plus the eviction timeout loses its
 * workloads (the taint manager's eviction after the default 300 s
 * toleration of `node.kubernetes.io/unreachable`).
 *
 * "Heard from" is when the server saw the Ready condition's
 * `lastHeartbeatTime` change, by its own clock (the store's
 * `heartbeatSeenAt`, server-facts.ts) — upstream's probeTimestamp — never
 * the time a node wrote there: a node that writes a heartbeat far in the
 * future and falls silent is still Unknown once the grace period passes.
 *
 * Silence is counted only from when the controller began observing: like
 * upstream's nodeHealthMap, which a restarted controller rebuilds with
 * probeTimestamp = now, a control plane that was itself down (a restart, an
 * outage of the webhook) gives every node a fresh grace period instead of
 * evicting workloads whose hosts simply could not reach it.
 */
import type { Json, JsonObject, KubeObject } from "../../../shared/k8s/object";
import { isJsonObject } from "../../../shared/k8s/object";
import { getCondition, statusOf, timeOf } from "../shared/object-fields";

/** The timeouts, in seconds. */
export interface NodeLifecycleOptions {
  /** `--node-monitor-grace-period`. */
  gracePeriodSeconds: number;
  /** How long workloads of an unreachable node are kept before eviction (the default toleration). */
  evictionTimeoutSeconds: number;
}

/** The defaults: 40 s grace (upstream's before 1.32), 300 s eviction. */
export const DEFAULT_NODE_LIFECYCLE: NodeLifecycleOptions = { gracePeriodSeconds: 40, evictionTimeoutSeconds: 300 };

/** Reads the options from the Worker's vars, falling back to the defaults for a missing or malformed value. */
export function nodeLifecycleOptions(vars: { NODE_MONITOR_GRACE_PERIOD_SECONDS?: string; POD_EVICTION_TIMEOUT_SECONDS?: string }): NodeLifecycleOptions {
  const seconds = (v: string | undefined, fallback: number): number => {
    const n = Number(v);
    return v !== undefined && v.trim() !== "" && Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  return {
    gracePeriodSeconds: seconds(vars.NODE_MONITOR_GRACE_PERIOD_SECONDS, DEFAULT_NODE_LIFECYCLE.gracePeriodSeconds),
    evictionTimeoutSeconds: seconds(vars.POD_EVICTION_TIMEOUT_SECONDS, DEFAULT_NODE_LIFECYCLE.evictionTimeoutSeconds),
  };
}

/** What a node's heartbeat says at `now`. */
export interface NodeHealth {
  /** Silent for longer than the grace period. */
  stale: boolean;
  /** Silent for longer than grace plus eviction timeout: evict its workloads. */
  evict: boolean;
  /** Its workloads should show Ready=False: silent, or reporting Ready=False itself. */
  workloadsNotReady: boolean;
  /** When the next deadline passes (at least 1 s). */
  requeueAfterSeconds: number;
}

/**
 * Assesses `node` at `now` (ms). `seenAt` is when the server last saw its
 * heartbeat change (ms; undefined when it never did: then its creation
 * counts, as upstream's for a node that never posted status).
 * `observingSince` is when the controller began watching this node (ms); a
 * heartbeat older than that counts as received then.
 */
export function assessNode(node: KubeObject, seenAt: number | undefined, now: number, opts: NodeLifecycleOptions, observingSince = -Infinity): NodeHealth {
  const heartbeat = Math.max(seenAt ?? timeOf(node.metadata.creationTimestamp) ?? now, observingSince);
  const staleAt = heartbeat + opts.gracePeriodSeconds * 1000;
  const evictAt = staleAt + opts.evictionTimeoutSeconds * 1000;
  const stale = now > staleAt;
  const evict = now > evictAt;
  // Past the last deadline there is nothing left to wait for but a recheck.
  const next = !stale ? staleAt : !evict ? evictAt : now + opts.gracePeriodSeconds * 1000;
  return {
    stale,
    evict,
    workloadsNotReady: stale || getCondition(node, "Ready")?.status === "False",
    requeueAfterSeconds: Math.max(1, Math.ceil((next - now) / 1000) + 1),
  };
}

/** Upstream's texts for a node that stopped (or never started) posting status. */
export const NODE_STATUS_UNKNOWN = { reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." } as const;
/** See NODE_STATUS_UNKNOWN. */
export const NODE_STATUS_NEVER_UPDATED = { reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status." } as const;

/**
 * The conditions of a silent node: every condition not yet Unknown becomes
 * Unknown (NodeStatusUnknown, lastTransitionTime now, lastHeartbeatTime
 * kept), and a missing Ready is added (NodeStatusNeverUpdated). Undefined
 * when nothing changes. Unlike upstream, missing pressure conditions are not
 * invented: a host that does not report them would leave them Unknown forever.
 */
export function unknownConditions(node: KubeObject, stamp: string): Json[] | undefined {
  const raw = statusOf(node).conditions;
  const conditions: Json[] = Array.isArray(raw) ? raw : [];
  let changed = false;
  const next = conditions.map((c): Json => {
    if (!isJsonObject(c) || c.status === "Unknown") return c;
    changed = true;
    return { ...c, status: "Unknown", ...NODE_STATUS_UNKNOWN, lastTransitionTime: stamp } satisfies JsonObject;
  });
  if (!conditions.some((c) => isJsonObject(c) && c.type === "Ready")) {
    changed = true;
    next.push({
      type: "Ready", status: "Unknown", ...NODE_STATUS_NEVER_UPDATED,
      lastHeartbeatTime: node.metadata.creationTimestamp ?? stamp, lastTransitionTime: stamp,
    });
  }
  return changed ? next : undefined;
}
