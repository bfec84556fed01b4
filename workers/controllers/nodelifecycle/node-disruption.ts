/**
 * @module
 * Zone disruption, as the node lifecycle controller judges it before it
 * evicts (pkg/controller/nodelifecycle ComputeZoneState / handleDisruption):
 * nodes are grouped by `topology.kubernetes.io/zone`; a zone with no ready
 * node is in full disruption, one with more than two not-ready nodes making
 * at least 55 % of it is in partial disruption. When every zone is in full
 * disruption the control plane is the likelier culprit (its network, its
 * webhook, a bad deploy), so nothing is evicted anywhere ("master
 * disruption mode"); a zone in partial disruption of at most 50 nodes evicts
 * nothing either (upstream's reduced rate is 0 for small clusters). A single
 * zone that went dark while others are healthy is evicted as usual, so its
 * workloads move to the healthy zones. Pure: `isReady` is given.
 */
import type { KubeObject } from "../../../shared/k8s/object";

/** The zone label (`v1.LabelTopologyZone`). */
export const ZONE_LABEL = "topology.kubernetes.io/zone";
/** `--unhealthy-zone-threshold`. */
const UNHEALTHY_ZONE_THRESHOLD = 0.55;
/** `--large-cluster-size-threshold`: smaller zones in partial disruption stop evicting. */
const LARGE_CLUSTER_THRESHOLD = 50;

export type ZoneState = "Normal" | "PartialDisruption" | "FullDisruption";

function zoneOf(node: KubeObject): string {
  return node.metadata.labels?.[ZONE_LABEL] ?? "";
}

/** ComputeZoneState for the nodes of one zone. */
export function zoneState(ready: number, notReady: number): ZoneState {
  if (ready === 0 && notReady > 0) return "FullDisruption";
  if (notReady > 2 && notReady / (ready + notReady) >= UNHEALTHY_ZONE_THRESHOLD) return "PartialDisruption";
  return "Normal";
}

/** Whether the workloads of `node` may be evicted now, and if not, why. */
export function evictionHalt(node: KubeObject, nodes: readonly KubeObject[], isReady: (n: KubeObject) => boolean): string | undefined {
  const zones = new Map<string, { ready: number; notReady: number }>();
  for (const n of nodes) {
    const z = zones.get(zoneOf(n)) ?? { ready: 0, notReady: 0 };
    if (isReady(n)) z.ready++;
    else z.notReady++;
    zones.set(zoneOf(n), z);
  }
  const states = new Map([...zones].map(([zone, c]) => [zone, zoneState(c.ready, c.notReady)]));
  if (states.size > 0 && [...states.values()].every((s) => s === "FullDisruption")) {
    return "every node is not ready: the control plane is the likelier cause, so evictions are halted (master disruption mode)";
  }
  const zone = zoneOf(node);
  const counts = zones.get(zone);
  if (states.get(zone) === "PartialDisruption" && counts && counts.ready + counts.notReady <= LARGE_CLUSTER_THRESHOLD) {
    return `zone "${zone}" is in partial disruption (${counts.notReady} of ${counts.ready + counts.notReady} nodes not ready): evictions there are halted`;
  }
  return undefined;
}
