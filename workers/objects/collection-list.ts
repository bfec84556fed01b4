/**
 * @module
 * Paged, consistent lists over a collection's SQLite. A page is read at one
 * resourceVersion X: rows unchanged since X come from the latest table, and
 * rows changed after X are replaced by the state they had at X, which is the
 * `prev` of their first event after X. So continue tokens give a consistent
 * snapshot for as long as the event log still covers X, and 410 after that —
 * the same contract as etcd compaction upstream.
 */
import { ApiError, badRequest, expired } from "../../shared/k8s/errors";
import { parseLabelSelector } from "../../shared/k8s/labels";
import { parseFieldSelector } from "../../shared/k8s/fields";
import type { KubeObject } from "../../shared/k8s/object";
import { fieldGetter } from "../registry-fields";

/** A list request as the API front passes it to the collection. */
export interface ListRequest {
  /** Registry key of the resource (for field selectors). */
  resource: string;
  /** Restrict to one namespace; undefined for all namespaces / cluster scope. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

/** One page: items as JSON text (the front parses only when it must). */
export interface ListResult {
  items: string[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

interface ContinueToken {
  v: "meta.k8s.io/v1";
  rv: number;
  start: string;
}

const BATCH = 500;

/** Encodes a continue token: opaque to clients, as upstream's base64 JSON. */
export function encodeContinue(rv: number, start: string): string {
  const token: ContinueToken = { v: "meta.k8s.io/v1", rv, start };
  return btoa(unescape(encodeURIComponent(JSON.stringify(token))));
}

function decodeContinue(value: string): ContinueToken {
  try {
    const parsed: unknown = JSON.parse(decodeURIComponent(escape(atob(value))));
    if (
      typeof parsed === "object" && parsed !== null &&
      "rv" in parsed && typeof parsed.rv === "number" && Number.isInteger(parsed.rv) && parsed.rv > 0 &&
      "start" in parsed && typeof parsed.start === "string"
    ) {
      return { v: "meta.k8s.io/v1", rv: parsed.rv, start: parsed.start };
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest("continue key is not valid: the token is malformed");
}

/** Parses a resourceVersion query value; "" and "0" mean "any" (→ undefined). */
export function parseResourceVersion(value: string | undefined): number | undefined {
  if (value === undefined || value === "" || value === "0") return undefined;
  if (!/^[0-9]+$/.test(value)) throw badRequest(`invalid resource version: ${value}`);
  return Number(value);
}

function tooLarge(rv: number, current: number): ApiError {
  return new ApiError(504, "Timeout", `Too large resource version: ${rv}, current: ${current}`, {
    retryAfterSeconds: 1,
  });
}

/** Chooses the snapshot resourceVersion a list is read at. */
function snapshotRv(req: ListRequest, current: number, compacted: number): { rv: number; start: string } {
  if (req.continue) {
    const token = decodeContinue(req.continue);
    if (token.rv < compacted) {
      throw expired(
        "The provided continue parameter is too old to display a consistent list result. " +
          "You can start a new list without the continue parameter.",
      );
    }
    if (token.rv > current) throw badRequest("continue key is not valid: resource version is in the future");
    return token;
  }
  const requested = parseResourceVersion(req.resourceVersion);
  if (req.resourceVersionMatch !== undefined && req.resourceVersionMatch !== "") {
    if (req.resourceVersionMatch !== "Exact" && req.resourceVersionMatch !== "NotOlderThan") {
      throw badRequest(`resourceVersionMatch: Unsupported value: "${req.resourceVersionMatch}": supported values: "Exact", "NotOlderThan"`);
    }
    if (requested === undefined) {
      throw badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
    }
  }
  if (requested !== undefined && requested > current) throw tooLarge(requested, current);
  if (req.resourceVersionMatch === "Exact" && requested !== undefined) {
    if (requested < compacted) throw expired(`too old resource version: ${requested} (${compacted})`);
    return { rv: requested, start: "" };
  }
  return { rv: current, start: "" };
}

/** The label and field selectors of `req` as one test; undefined when it selects everything. */
export function listMatcher(req: Pick<ListRequest, "resource" | "labelSelector" | "fieldSelector">): ((obj: KubeObject) => boolean) | undefined {
  const labels = req.labelSelector ? parseLabelSelector(req.labelSelector) : undefined;
  const fields = req.fieldSelector ? parseFieldSelector(req.fieldSelector) : undefined;
  const getField = fields ? fieldGetter(req.resource, fields.fields()) : undefined;
  if ((labels === undefined || labels.empty()) && fields === undefined) return undefined;
  return (obj) =>
    (!labels || labels.matches(obj.metadata.labels ?? {})) && (!fields || !getField || fields.matches((f) => getField(obj, f)));
}

/** Reads one page of a list. */
export function listPage(sql: SqlStorage, current: number, compacted: number, req: ListRequest): ListResult {
  const matches = listMatcher(req);
  const limit = req.limit && req.limit > 0 ? req.limit : Number.POSITIVE_INFINITY;
  const { rv, start } = snapshotRv(req, current, compacted);

  const items: string[] = [];
  let after = start;
  let more = false;
  for (;;) {
    const rows = readBatch(sql, rv, current, after, req.namespace);
    for (const row of rows) {
      if (items.length >= limit) {
        more = true;
        break;
      }
      after = row.key;
      if (matches && !matches(JSON.parse(row.body) as KubeObject)) continue;
      items.push(row.body);
    }
    if (more || rows.length < BATCH) break;
  }
  const result: ListResult = { items, resourceVersion: String(rv) };
  if (more) {
    result.continue = encodeContinue(rv, after);
    if (!matches && rv === current) result.remainingItemCount = countAfter(sql, after, req.namespace);
  }
  return result;
}

/** Rows of the snapshot at `rv` after key `after`, in key order (`current` is the latest RV). */
export function readBatch(
  sql: SqlStorage,
  rv: number,
  current: number,
  after: string,
  namespace: string | undefined,
  limit = BATCH,
): { key: string; body: string }[] {
  const ns = namespace === undefined ? "" : " AND namespace = ?";
  const nsArgs = namespace === undefined ? [] : [namespace];
  if (rv === current) {
    return sql
      .exec<{ key: string; body: string }>(
        `SELECT key, body FROM objects WHERE key > ?${ns} ORDER BY key LIMIT ${limit}`,
        after,
        ...nsArgs,
      )
      .toArray();
  }
  return sql
    .exec<{ key: string; body: string }>(
      `SELECT key, body FROM (
         SELECT key, body FROM objects WHERE rv <= ? AND key > ?${ns}
         UNION ALL
         SELECT e.key AS key, COALESCE(e.prev, p.prev) AS body FROM events e
           LEFT JOIN event_prevs p ON p.rv = e.rv
           WHERE e.rv > ? AND e.key > ?${ns} AND COALESCE(e.prev, p.prev) IS NOT NULL
             AND e.rv = (SELECT MIN(e2.rv) FROM events e2 WHERE e2.key = e.key AND e2.rv > ?)
       ) ORDER BY key LIMIT ${limit}`,
      rv,
      after,
      ...nsArgs,
      rv,
      after,
      ...nsArgs,
      rv,
    )
    .toArray();
}

function countAfter(sql: SqlStorage, after: string, namespace: string | undefined): number {
  const ns = namespace === undefined ? "" : " AND namespace = ?";
  const args = namespace === undefined ? [after] : [after, namespace];
  return sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM objects WHERE key > ?${ns}`, ...args).one().n;
}
