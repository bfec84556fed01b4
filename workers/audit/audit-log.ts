/**
 * @module
 * The audit log in D1 (drizzle): rows written in batches after audited responses (audit-buffer.ts),
 * read back newest first as audit.k8s.io/v1 Events, and pruned after the
 * retention period (`AUDIT_RETENTION_HOURS`, default a week, like
 * `--audit-log-maxage`).
 */
import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type AuditEventRow, auditEvents } from "../../shared/db/schema";
import { formatMicroTime } from "../../shared/k8s/time";

/** How long rows are kept unless AUDIT_RETENTION_HOURS says otherwise. */
export const DEFAULT_RETENTION_HOURS = 168;
/** One insert in this many also prunes, so pruning costs little and the table stays bounded. */
const PRUNE_ONE_IN = 256;

export type AuditRecord = typeof auditEvents.$inferInsert;

/** The retention from the Worker's vars (hours), the default for a missing or malformed value. */
export function retentionMs(vars: { AUDIT_RETENTION_HOURS?: string }): number {
  const hours = Number(vars.AUDIT_RETENTION_HOURS);
  return (vars.AUDIT_RETENTION_HOURS && Number.isFinite(hours) && hours > 0 ? hours : DEFAULT_RETENTION_HOURS) * 3_600_000;
}

/** Deletes rows received before `before`; returns how many went. */
export async function pruneAudit(env: Env, before: Date): Promise<number> {
  const result = await drizzle(env.DB).delete(auditEvents).where(lt(auditEvents.receivedAt, before)).run();
  return result.meta.changes;
}

/** D1 binds at most 100 parameters per statement: this many rows of (at most) 20 columns fit. */
const ROWS_PER_STATEMENT = 5;

/**
 * Writes records in one D1 batch (a row whose id exists is skipped: a retried
 * flush writes nothing twice) and, one row in PRUNE_ONE_IN, prunes what is
 * past retention.
 */
export async function insertAudit(env: Env, records: readonly AuditRecord[], random: () => number = Math.random): Promise<void> {
  const db = drizzle(env.DB);
  const statements = [];
  for (let i = 0; i < records.length; i += ROWS_PER_STATEMENT) {
    statements.push(db.insert(auditEvents).values(records.slice(i, i + ROWS_PER_STATEMENT)).onConflictDoNothing());
  }
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
  if (random() * PRUNE_ONE_IN < records.length) await pruneAudit(env, new Date(Date.now() - retentionMs(env)));
}

/** Stores one record at once (and now and then prunes what is past retention); requests go through audit-buffer.ts. */
export function recordAudit(env: Env, record: AuditRecord, random: () => number = Math.random): Promise<void> {
  return insertAudit(env, [record], random);
}

/** Filters of a read; every one optional. */
export interface AuditQuery {
  limit: number;
  /** Rows strictly older than this position (from a continue token). */
  before?: { receivedAt: number; id: string };
  since?: Date;
  user?: string;
  verb?: string;
  namespace?: string;
  resource?: string;
  name?: string;
}

/** Reads rows newest first; `more` says whether another page exists. */
export async function listAudit(env: Env, q: AuditQuery): Promise<{ rows: AuditEventRow[]; more: boolean }> {
  const where: (SQL | undefined)[] = [
    q.since ? gte(auditEvents.receivedAt, q.since) : undefined,
    q.user !== undefined ? eq(auditEvents.username, q.user) : undefined,
    q.verb !== undefined ? eq(auditEvents.verb, q.verb) : undefined,
    q.namespace !== undefined ? eq(auditEvents.namespace, q.namespace) : undefined,
    q.resource !== undefined ? eq(auditEvents.resource, q.resource) : undefined,
    q.name !== undefined ? eq(auditEvents.name, q.name) : undefined,
    q.before
      ? or(
        lt(auditEvents.receivedAt, new Date(q.before.receivedAt)),
        and(eq(auditEvents.receivedAt, new Date(q.before.receivedAt)), lt(auditEvents.id, q.before.id)),
      )
      : undefined,
  ];
  const rows = await drizzle(env.DB).select().from(auditEvents)
    .where(and(...where))
    .orderBy(desc(auditEvents.receivedAt), desc(auditEvents.id))
    .limit(q.limit + 1)
    .all();
  return { rows: rows.slice(0, q.limit), more: rows.length > q.limit };
}

/** A row as an audit.k8s.io/v1 Event (level Metadata, stage ResponseComplete). */
export function auditEventOf(row: AuditEventRow): object {
  const objectRef = row.resource !== null
    ? {
      resource: row.resource,
      ...(row.namespace !== null ? { namespace: row.namespace } : {}),
      ...(row.name !== null ? { name: row.name } : {}),
      apiGroup: row.apiGroup ?? "",
      apiVersion: row.apiVersion ?? "",
      ...(row.subresource !== null ? { subresource: row.subresource } : {}),
    }
    : undefined;
  const failed = row.code >= 400;
  return {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "Metadata",
    auditID: row.id,
    stage: "ResponseComplete",
    requestURI: row.requestUri,
    verb: row.verb,
    user: { username: row.username, groups: JSON.parse(row.groups) as string[] },
    ...(row.impersonatedUsername !== null
      ? { impersonatedUser: { username: row.impersonatedUsername, groups: JSON.parse(row.impersonatedGroups ?? "[]") as string[] } }
      : {}),
    sourceIPs: row.sourceIp ? [row.sourceIp] : [],
    userAgent: row.userAgent,
    ...(objectRef ? { objectRef } : {}),
    responseStatus: {
      metadata: {},
      code: row.code,
      ...(failed ? { status: "Failure" } : {}),
      ...(row.reason ? { reason: row.reason } : {}),
      ...(row.message ? { message: row.message } : {}),
    },
    requestReceivedTimestamp: formatMicroTime(row.receivedAt.getTime()),
    stageTimestamp: formatMicroTime(row.completedAt.getTime()),
  };
}
