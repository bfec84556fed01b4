/**
 * @module
 * `UsageStore`: the latest usage sample of every host, its pods and its VMIs,
 * kept in memory as metrics-server keeps its store — one object for the
 * cluster, no storage writes (a heartbeat still costs at most its one small
 * write to the Node), bounded in size. An evicted object starts empty and
 * fills again with the next heartbeats, as metrics-server does after a restart.
 * A sample is served while its node's last report is younger than
 * {@link STALE_WINDOWS} of the sample's windows.
 * @see https://github.com/kubernetes-sigs/metrics-server/blob/master/pkg/storage/storage.go
 */
import { DurableObject } from "cloudflare:workers";
import type { ParsedUsageReport } from "../../shared/hosts/report";

/** A sample older than this many of its windows (counted from its node's last report) is not served. */
export const STALE_WINDOWS = 3;
/** At most this many nodes and pod or VMI samples are kept (well within an object's 128 MB); beyond, the node heard from longest ago is forgotten. */
export const MAX_NODES = 2000;
export const MAX_SAMPLES = 50_000;

type NodeSample = NonNullable<ParsedUsageReport["node"]>;
export type PodSample = ParsedUsageReport["pods"][number];
export type VMISample = ParsedUsageReport["vmis"][number];

/** A sample and the node that reported it. */
export interface Held<T> {
  node: string;
  sample: T;
}

interface NodeEntry {
  receivedAt: number;
  sample?: NodeSample;
  pods: string[];
  vmis: string[];
}

/** What a read may ask for: one namespace, one object in it as reported by one node. */
export type UsageQuery = { namespace?: string } | { namespace: string; name: string; node: string };

/**
 * Samples are kept per reporting node: a host that reports another host's
 * pod (which the read path refuses to serve) cannot push the real sample out.
 */
function keyOf(node: string, namespace: string, name: string): string {
  return `${node}\u0000${namespace}/${name}`;
}

/** True while a sample with this window, from a report received at `receivedAt`, may be served at `now`. */
export function isFresh(receivedAt: number, windowSeconds: number, now: number): boolean {
  return now - receivedAt <= STALE_WINDOWS * windowSeconds * 1000;
}

/** The cluster's usage samples, in memory. */
export class UsageStore extends DurableObject<Env> {
  private readonly nodes = new Map<string, NodeEntry>();
  private readonly pods = new Map<string, Held<PodSample>>();
  private readonly vmis = new Map<string, Held<VMISample>>();

  /** Replaces everything `node` reported before with this report. */
  record(node: string, usage: ParsedUsageReport, receivedAt = Date.now()): void {
    this.forget(node);
    const entry: NodeEntry = { receivedAt, ...(usage.node ? { sample: usage.node } : {}), pods: [], vmis: [] };
    for (const sample of usage.pods) {
      const key = keyOf(node, sample.namespace, sample.name);
      this.pods.set(key, { node, sample });
      entry.pods.push(key);
    }
    for (const sample of usage.vmis) {
      const key = keyOf(node, sample.namespace, sample.name);
      this.vmis.set(key, { node, sample });
      entry.vmis.push(key);
    }
    this.nodes.set(node, entry);
    while (this.nodes.size > 1 && (this.nodes.size > MAX_NODES || this.pods.size + this.vmis.size > MAX_SAMPLES)) this.evictOldest();
  }

  /** Fresh node samples by node name (one node when `name` is given). */
  nodeUsage(name?: string): Record<string, NodeSample> {
    const now = Date.now();
    const out: Record<string, NodeSample> = {};
    for (const [node, entry] of this.nodes) {
      if (name !== undefined && node !== name) continue;
      if (entry.sample && isFresh(entry.receivedAt, entry.sample.windowSeconds, now)) out[node] = entry.sample;
    }
    return out;
  }

  /** Fresh pod samples, in one namespace or all, or of one pod as one node reported it. */
  podUsage(query: UsageQuery = {}): Held<PodSample>[] {
    return this.select(this.pods, query);
  }

  /** Fresh VMI samples, in one namespace or all, or of one VMI as one node reported it. */
  vmiUsage(query: UsageQuery = {}): Held<VMISample>[] {
    return this.select(this.vmis, query);
  }

  private select<T extends { namespace: string; name: string; windowSeconds: number }>(map: Map<string, Held<T>>, query: UsageQuery): Held<T>[] {
    const now = Date.now();
    const out: Held<T>[] = [];
    const candidates = "node" in query ? [map.get(keyOf(query.node, query.namespace, query.name))] : map.values();
    for (const held of candidates) {
      if (!held || (query.namespace !== undefined && held.sample.namespace !== query.namespace)) continue;
      const entry = this.nodes.get(held.node);
      if (entry && isFresh(entry.receivedAt, held.sample.windowSeconds, now)) out.push(held);
    }
    return out;
  }

  /** Drops what `node` reported. */
  private forget(node: string): void {
    const entry = this.nodes.get(node);
    if (!entry) return;
    for (const key of entry.pods) this.pods.delete(key);
    for (const key of entry.vmis) this.vmis.delete(key);
    this.nodes.delete(node);
  }

  private evictOldest(): void {
    let oldest: string | undefined;
    let at = Infinity;
    for (const [node, entry] of this.nodes) {
      if (entry.receivedAt < at) [oldest, at] = [node, entry.receivedAt];
    }
    if (oldest !== undefined) this.forget(oldest);
  }
}

/** The cluster's one UsageStore. */
export function usageStore(env: Env): DurableObjectStub<UsageStore> {
  return env.USAGE.getByName("cluster");
}

/**
 * Hands a report's usage to the store; run in the background of the webhook
 * (waitUntil), so the report's answer never waits for it, and never fails it.
 */
export async function recordUsage(env: Env, node: string, usage: ParsedUsageReport): Promise<void> {
  try {
    await usageStore(env).record(node, usage);
  } catch (err) {
    console.warn("usage not recorded", { node, error: err instanceof Error ? err.message : String(err) });
  }
}
