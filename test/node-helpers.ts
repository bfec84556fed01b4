/**
 * Nodes for workerd tests: created through the API, then given the status a
 * host would report (capacity, allocatable, a Ready condition with its
 * heartbeat), as the webhook would write it. A heartbeat in the past is
 * made one the server saw then: the store's record of when it saw the
 * heartbeat change (what the lifecycle controller counts silence from) is
 * set back by as much, as if the write had happened that long ago.
 */
import { env, runInDurableObject } from "cloudflare:test";
import type { KubeObject } from "../shared/k8s/object";
import { objectStub } from "../workers/objects/client";
import type { ObjectStore } from "../workers/objects/object-store";
import { writeFacts } from "../workers/objects/server-facts";
import { api } from "./helpers";

/** What a test node offers and reports. */
export interface TestNode {
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
  pods?: string;
  ready?: "True" | "False" | "Unknown";
  /** Seconds since the last heartbeat (default 0). */
  heartbeatAgo?: number;
  unschedulable?: boolean;
}

/** RFC 3339 in whole seconds, `secondsAgo` before now. */
export function timeAgo(secondsAgo: number): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000 - secondsAgo * 1000).toISOString().replace(".000Z", "Z");
}

/** The status a host reports for `o`. */
export function nodeStatus(o: TestNode): Record<string, unknown> {
  const resources = { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? "110" };
  return {
    capacity: resources, allocatable: resources,
    conditions: [{
      type: "Ready", status: o.ready ?? "True", reason: "KubeletReady", message: "host agent is posting ready status",
      lastHeartbeatTime: timeAgo(o.heartbeatAgo ?? 0), lastTransitionTime: timeAgo(3600),
    }],
  };
}

/** Creates a Node and reports its status; returns the stored Node. */
export async function addNode(name: string, o: TestNode = {}): Promise<KubeObject> {
  const created = await api("POST", "/api/v1/nodes", {
    apiVersion: "v1", kind: "Node", metadata: { name, labels: o.labels ?? {} },
    spec: o.unschedulable ? { unschedulable: true } : {},
  });
  if (created.status !== 201) throw new Error(`node create failed: ${created.status} ${JSON.stringify(created.body)}`);
  return reportNode(name, o);
}

/** Writes a node's status as its host's heartbeat would. */
export async function reportNode(name: string, o: TestNode = {}): Promise<KubeObject> {
  const res = await api<KubeObject>("PATCH", `/api/v1/nodes/${name}/status`, { status: nodeStatus(o) }, { "content-type": "application/merge-patch+json" });
  if (res.status !== 200) throw new Error(`node status failed: ${res.status} ${JSON.stringify(res.body)}`);
  const ago = o.heartbeatAgo ?? 0;
  if (ago !== 0) await heartbeatSeen(name, res.body.metadata.uid, Date.now() - ago * 1000);
  return res.body;
}

/** Sets when the server saw Node `name`'s heartbeat change (ms), as if its last heartbeat had come then. */
export async function heartbeatSeen(name: string, uid: string | undefined, at: number): Promise<void> {
  const stub = objectStub(env, { resource: "/nodes", namespace: "", name });
  await runInDurableObject(stub, (_store: ObjectStore, state: DurableObjectState) => {
    writeFacts(state.storage.sql, uid, { heartbeatSeenAt: at });
  });
}

/** Deletes nodes (tests share the cluster-scoped Nodes of their file). */
export async function removeNodes(names: readonly string[]): Promise<void> {
  for (const name of names) await api("DELETE", `/api/v1/nodes/${name}`);
}
