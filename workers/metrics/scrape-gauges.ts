/**
 * @module
 * The gauges a scrape reads from where they live, rather than from flushed
 * deltas: each kind's collection store knows how many objects it holds and
 * how many collection watches it serves (`apiserver_storage_objects`,
 * `apiserver_registered_watchers`), and each Node's store when it last heard
 * the node's heartbeat (`duraplane_node_heartbeat_age_seconds`). One RPC per
 * kind and one per Node, in parallel, per scrape; nothing on any request's path.
 */
import { isJsonObject, type KubeObject } from "../../shared/k8s/object";
import { listAll } from "../client/list-all";
import { collectionStub, objectStub } from "../objects/client";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { KINDS, resourceKey } from "../registry";
import type { SeriesRow } from "./fleet-metrics";
import { NODE_HEARTBEAT_AGE, REGISTERED_WATCHERS, STORAGE_OBJECTS } from "./definitions";
import { labelKey } from "./labels";

const NODES = resourceKey({ group: "", plural: "nodes" });

/** Upstream's resource label: the plural, then its group ("pods", "replicasets.apps"). */
export function storageResource(kind: Pick<ResourceKind, "group" | "plural">): string {
  return kind.group === "" ? kind.plural : `${kind.plural}.${kind.group}`;
}

/** Stored objects and collection watchers of every served kind. */
async function storageGauges(env: Env): Promise<SeriesRow[]> {
  const stats = await Promise.all(KINDS.map(async (kind) => ({ kind, stats: await collectionStub(env, resourceKey(kind)).storageStats() })));
  const rows: SeriesRow[] = [];
  for (const { kind, stats: s } of stats) {
    rows.push({ name: STORAGE_OBJECTS.name, labels: labelKey([["resource", storageResource(kind)]]), value: s.objects });
    rows.push({
      name: REGISTERED_WATCHERS.name,
      labels: labelKey([["group", kind.group], ["version", kind.version], ["kind", kind.kind], ["resource", storageResource(kind)]]),
      value: s.watchers,
    });
  }
  return rows;
}

/** The Ready condition's lastHeartbeatTime (ms), for a Node whose store has no heartbeat on record. */
function readyHeartbeat(node: KubeObject): number | undefined {
  const status = node.status;
  if (!isJsonObject(status) || !Array.isArray(status.conditions)) return undefined;
  const ready = status.conditions.find((c) => isJsonObject(c) && c.type === "Ready");
  const at = isJsonObject(ready) && typeof ready.lastHeartbeatTime === "string" ? Date.parse(ready.lastHeartbeatTime) : NaN;
  return Number.isFinite(at) ? at : undefined;
}

/** Seconds since each Node's last heartbeat, as the server saw it. */
async function heartbeatGauges(env: Env, now: number): Promise<SeriesRow[]> {
  const nodes = await listAll(env, { resource: NODES });
  const rows = await Promise.all(nodes.map(async (node): Promise<SeriesRow | undefined> => {
    const name = node.metadata.name ?? "";
    const seen = (await objectStub(env, { resource: NODES, namespace: "", name }).fact("heartbeatSeenAt")) ?? readyHeartbeat(node);
    if (seen === undefined) return undefined;
    return { name: NODE_HEARTBEAT_AGE.name, labels: labelKey([["node", name]]), value: Math.max(0, (now - seen) / 1000) };
  }));
  return rows.filter((r): r is SeriesRow => r !== undefined);
}

/** Every gauge read at scrape time. */
export async function scrapeGauges(env: Env, now = Date.now()): Promise<SeriesRow[]> {
  const [storage, heartbeats] = await Promise.all([storageGauges(env), heartbeatGauges(env, now)]);
  return [...storage, ...heartbeats];
}
