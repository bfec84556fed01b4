/**
 * @module
 * The heartbeat half of a report, folded into the Node's status: the host's
 * conditions with `lastHeartbeatTime` stamped by the server's clock (the
 * Node's store records when it saw that change, which is what the node
 * lifecycle controller counts silence from), `lastTransitionTime` moved only
 * when a condition's status flips, capacity/allocatable, addresses and
 * nodeInfo. A read-modify-write on /status with the resourceVersion as
 * precondition, retried on conflict, so it never overwrites a concurrent
 * change (e.g. the lifecycle controller marking the node Unknown). Written
 * as the node's own write, so NodeRestriction admits it like any other.
 *
 * A heartbeat that changes nothing but `lastHeartbeatTime`, within
 * {@link NODE_STATUS_REPORT_FREQUENCY_MS} of the last one written, is not
 * written at all: the Node's store only records that the server heard from
 * the node (`renewHeartbeat`). Upstream splits it the same way — the kubelet
 * renews a Lease every 10 s and writes Node status only on a change or every
 * `nodeStatusReportFrequency` (5 min). A steady fleet then costs one small
 * write per heartbeat, with no resourceVersion, watch event or reconcile.
 */
import type { NodeReport } from "../../shared/hosts/report";
import { isJsonObject, type Json, type JsonObject } from "../../shared/k8s/object";
import { readyHeartbeat } from "../objects/server-facts";
import { findObject, renewHeartbeat, writeObject } from "../objects/client";
import { jsonEqual } from "../../shared/k8s/json-value";
import { formatTime } from "../../shared/k8s/time";
import type { ReportItemResult } from "../../shared/hosts/report";
import { isInvalid } from "../client/errors";
import { retryOnConflict } from "../client/retry";

const NODES = "/nodes";
const ATTEMPTS = 4;

/** How long an unchanged Node status goes without a written heartbeat: upstream kubelet's `nodeStatusReportFrequency`. */
export const NODE_STATUS_REPORT_FREQUENCY_MS = 5 * 60_000;

type Condition = { type: string; status: string; lastTransitionTime?: string; [k: string]: unknown };

/** The condition a heartbeat implies when the host reports none. */
const READY: Condition = { type: "Ready", status: "True", reason: "KubeletReady", message: "host agent is posting ready status" };

function nextConditions(stored: unknown, reported: NodeReport["conditions"], stamp: string): Condition[] {
  const old = Array.isArray(stored) ? (stored as Condition[]) : [];
  const incoming: Condition[] = reported && reported.length > 0 ? reported.map((c) => ({ ...c })) : [READY];
  const out = old.filter((c) => !incoming.some((r) => r.type === c.type));
  for (const r of incoming) {
    const prev = old.find((c) => c.type === r.type);
    out.push({
      ...r,
      lastHeartbeatTime: stamp,
      lastTransitionTime: prev && prev.status === r.status && prev.lastTransitionTime ? prev.lastTransitionTime : stamp,
    });
  }
  return out;
}

/** `status` without the heartbeat stamps of its conditions, to compare what a heartbeat would change. */
function withoutHeartbeats(status: JsonObject): Json {
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return {
    ...status,
    conditions: conditions.map((c) => {
      if (!isJsonObject(c)) return c;
      const { lastHeartbeatTime: _beat, ...rest } = c;
      return rest;
    }),
  };
}

/** True when writing `next` over `stored` would only move heartbeat stamps, and the last written one is recent. */
export function onlyRenews(stored: JsonObject, next: JsonObject, now: number): boolean {
  const beat = readyHeartbeat(stored);
  const written = typeof beat === "string" ? Date.parse(beat) : Number.NaN;
  if (!Number.isFinite(written) || now - written >= NODE_STATUS_REPORT_FREQUENCY_MS || written > now) return false;
  return jsonEqual(withoutHeartbeats(stored), withoutHeartbeats(next));
}

/** Applies a heartbeat to Node `name`; the answer is the node part of the webhook's reply. */
export async function foldHeartbeat(env: Env, name: string, report: NodeReport, now = Date.now()): Promise<Omit<ReportItemResult, "kind" | "namespace" | "name">> {
  const ref = { resource: NODES, namespace: "", name };
  try {
    return await retryOnConflict(async () => {
      const node = await findObject(env, ref);
      if (!node) return { result: "NotFound", code: 404, message: `node "${name}" does not exist; join again` };
      const stored = isJsonObject(node.status) ? node.status : {};
      const status: JsonObject = { ...stored };
      status.conditions = nextConditions(status.conditions, report.conditions, formatTime(now)) as unknown as JsonObject[];
      if (report.capacity) status.capacity = report.capacity;
      if (report.allocatable ?? report.capacity) status.allocatable = (report.allocatable ?? report.capacity) as JsonObject;
      if (report.addresses) status.addresses = report.addresses;
      if (report.nodeInfo) status.nodeInfo = report.nodeInfo;
      if (onlyRenews(stored, status, now)) {
        const renewed = await renewHeartbeat(env, ref, name);
        return { result: "Applied", code: 200, resourceVersion: renewed.metadata.resourceVersion ?? "" };
      }
      const written = await writeObject(env, ref, { verb: "update", subresource: "status", input: { ...node, status } as unknown as Json, byNode: name });
      return { result: "Applied", code: 200, resourceVersion: written.object.metadata.resourceVersion ?? "" };
    }, { attempts: ATTEMPTS });
  } catch (err) {
    if (isInvalid(err)) return { result: "Invalid", code: 422, message: err.message };
    throw err;
  }
}
