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
 *
 * They are one row of the store's `meta` table (object-schema.ts), `facts`:
 * a JSON object of the uid and its facts, merged by one upsert.
 */
import { isJsonObject, type KubeObject } from "../../shared/k8s/object";

/** The names of the facts (the only keys read back from the stored row). */
const FACT_KEYS = ["observedSequence", "heartbeatSeenAt"] as const;

/** The name of a fact. */
export type FactKey = (typeof FACT_KEYS)[number];

/** Facts by name. */
export type Facts = Partial<Record<FactKey, number>>;

/** The facts of object `uid`. */
export function readFacts(sql: SqlStorage, uid: string | undefined): Facts {
  if (uid === undefined) return {};
  const row = sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'facts'").toArray()[0];
  if (!row) return {};
  const stored: unknown = JSON.parse(row.v);
  if (!isJsonObject(stored) || stored.uid !== uid) return {};
  const facts: Facts = {};
  for (const k of FACT_KEYS) {
    const v = stored[k];
    if (typeof v === "number") facts[k] = v;
  }
  return facts;
}

/**
 * Records facts of object `uid` in one statement: merged into the facts of
 * the same uid, replacing those of any other uid (an earlier object of this name).
 */
export function writeFacts(sql: SqlStorage, uid: string | undefined, facts: Facts): void {
  if (uid === undefined || FACT_KEYS.every((k) => facts[k] === undefined)) return;
  sql.exec(
    "INSERT INTO meta (k, v) VALUES ('facts', ?1) ON CONFLICT (k) DO UPDATE SET v = " +
      "CASE WHEN json_extract(v, '$.uid') = json_extract(excluded.v, '$.uid') THEN json_patch(v, excluded.v) ELSE excluded.v END",
    // JSON leaves out the facts not given, so the merge keeps their stored values.
    JSON.stringify({ ...facts, uid }),
  );
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
