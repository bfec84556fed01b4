/**
 * @module
 * The Node a joining host becomes: created if absent (labels the kubelet
 * sets — hostname, os, arch — plus the host's own), with its capacity and a
 * Ready=Unknown condition until its first heartbeat, as a node that never
 * posted status looks upstream.
 */
import type { Json, KubeObject } from "../../shared/k8s/object";
import { findObject, writeObject } from "../objects/client";
import { formatTime } from "../../shared/k8s/time";
import { isConflict } from "../client/errors";

const ref = (name: string) => ({ resource: "/nodes", namespace: "", name });

/** Creates or refreshes the Node of a joining host. */
export async function ensureNode(env: Env, name: string, labels: Record<string, string>, capacity: Record<string, string>, now = Date.now()): Promise<KubeObject> {
  let node = await findObject(env, ref(name));
  if (!node) {
    const input = {
      apiVersion: "v1", kind: "Node",
      metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", ...labels } },
      spec: {},
    };
    try {
      // The host's own labels are admitted as a node's would be (NodeRestriction on create).
      node = (await writeObject(env, ref(name), { verb: "create", input, uid: crypto.randomUUID(), byNode: name })).object;
    } catch (err) {
      if (!isConflict(err)) throw err;
      node = await findObject(env, ref(name));
      if (!node) throw err;
    }
  }
  const stamp = formatTime(now);
  // A join answered twice at once (a retry racing the original) ensures the Node twice: the one whose
  // status write loses the race finds the status the other wrote, which is what it would have written.
  for (let attempt = 0; ; attempt++) {
    const conditions = (node.status as { conditions?: unknown[] } | undefined)?.conditions ?? [];
    if (attempt > 0 && conditions.length > 0) return node;
    const status = {
      ...(node.status as Record<string, Json> | undefined),
      ...(Object.keys(capacity).length > 0 ? { capacity, allocatable: capacity } : {}),
      conditions: [{
        type: "Ready", status: "Unknown", reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status.",
        lastHeartbeatTime: stamp, lastTransitionTime: stamp,
      }],
    };
    try {
      return (await writeObject(env, ref(name), { verb: "update", subresource: "status", input: { ...node, status } as unknown as Json })).object;
    } catch (err) {
      if (!isConflict(err) || attempt >= 2) throw err;
      const fresh = await findObject(env, ref(name));
      if (!fresh) throw err;
      node = fresh;
    }
  }
}
