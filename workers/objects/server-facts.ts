/**
 * @module
 * What the server knows about an object that no client may write: kept in
 * the object's own Durable Object, beside the object and never in it, so no
 * update, patch or apply can set it. Facts belong to one uid: an object
 * deleted and created again under the same name starts with none.
 *
 * - `observedSequence`: the sequence of the last host observation applied
 *   (report-op.ts's fence; older and equal ones are stale).
 * - `heartbeatSeenAt`: when the server (its own clock) saw a Node's Ready
 *   heartbeat change — upstream's probeTimestamp in the node lifecycle
 *   controller's nodeHealthMap; silence is counted from it, never from the
 *   `lastHeartbeatTime` a node wrote.
 *
 * Facts a write implies are recorded before its pending row, with no await
 * in between, so they commit atomically with the write.
 */
import { isJsonObject, type KubeObject } from "../../shared/k8s/object";

/** The names of the facts. */
export type FactKey = "observedSequence" | "heartbeatSeenAt";

/** Facts by name. */
export type Facts = Partial<Record<FactKey, number>>;

/** The ObjectStore migration that creates the facts table (appended to its MIGRATIONS). */
export const SERVER_FACTS_MIGRATION = "CREATE TABLE server_facts (uid TEXT NOT NULL, k TEXT NOT NULL, v INTEGER NOT NULL, PRIMARY KEY (uid, k));";

/** The facts of object `uid`. */
export function readFacts(sql: SqlStorage, uid: string | undefined): Facts {
  if (uid === undefined) return {};
  const facts: Facts = {};
  for (const row of sql.exec<{ k: string; v: number }>("SELECT k, v FROM server_facts WHERE uid = ?", uid)) {
    if (row.k === "observedSequence" || row.k === "heartbeatSeenAt") facts[row.k] = Number(row.v);
  }
  return facts;
}

/** Records facts of object `uid`; those of any other uid (an earlier object of this name) are dropped. */
export function writeFacts(sql: SqlStorage, uid: string | undefined, facts: Facts): void {
  const entries = Object.entries(facts).filter((e): e is [FactKey, number] => e[1] !== undefined);
  if (uid === undefined || entries.length === 0) return;
  sql.exec("DELETE FROM server_facts WHERE uid != ?", uid);
  for (const [k, v] of entries) sql.exec("INSERT OR REPLACE INTO server_facts (uid, k, v) VALUES (?, ?, ?)", uid, k, v);
}

/** The Ready condition's lastHeartbeatTime in a Node's `status` as written, if any. */
export function readyHeartbeat(status: unknown): unknown {
  const conditions = isJsonObject(status) ? status.conditions : undefined;
  if (!Array.isArray(conditions)) return undefined;
  const ready = conditions.find((c) => isJsonObject(c) && c.type === "Ready");
  return isJsonObject(ready) ? ready.lastHeartbeatTime : undefined;
}

/**
 * The facts a write from `current` to `next` implies, at the server's `now`:
 * a Node whose Ready heartbeat changed was heard from now (whatever time the
 * heartbeat itself claims); a host report's sequence is the new fence.
 */
export function factsOfWrite(current: KubeObject | undefined, next: KubeObject, reportSequence: number | undefined, now: number): Facts {
  const facts: Facts = {};
  if (reportSequence !== undefined) facts.observedSequence = reportSequence;
  if (next.kind === "Node") {
    const beat = readyHeartbeat(next.status);
    if (beat !== undefined && beat !== readyHeartbeat(current?.status)) facts.heartbeatSeenAt = now;
  }
  return facts;
}
