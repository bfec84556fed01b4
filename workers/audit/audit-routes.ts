/**
 * @module
 * Reading the audit log: `GET /apis/audit.duraplane.io/v1/events`, for
 * members of system:masters only, answers an audit.k8s.io/v1 EventList,
 * newest first, paged with `limit` (default 500, at most 1,000) and an
 * opaque `continue` token, filtered by `user`, `verb`, `namespace`,
 * `resource`, `name` and `since` (RFC 3339). `kubectl get --raw` reads it.
 */
import { Hono } from "hono";
import { badRequest } from "../../shared/k8s/errors";
import { requireAdmin, type UserInfo } from "../api/auth";
import { json } from "../api/respond";
import { type AuditQuery, auditEventOf, listAudit } from "./audit-log";
import { settleAuditBuffer } from "./audit-buffer";

/** Where the audit log is served (not a Kubernetes resource group: no discovery, no watch). */
export const AUDIT_EVENTS_PATH = "/apis/audit.duraplane.io/v1/events";
const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 1000;

type RoutesEnv = { Bindings: Env; Variables: { user: UserInfo } };

function encodeContinue(receivedAt: number, id: string): string {
  return btoa(JSON.stringify({ t: receivedAt, id }));
}

function decodeContinue(token: string): { receivedAt: number; id: string } {
  try {
    const raw = JSON.parse(atob(token)) as { t?: unknown; id?: unknown };
    if (typeof raw.t === "number" && typeof raw.id === "string") return { receivedAt: raw.t, id: raw.id };
  } catch {
    // fall through
  }
  throw badRequest("the continue token is not valid: start the list again without it");
}

/** Reads the query string into a query, refusing malformed values with 400. */
export function auditQueryOf(params: URLSearchParams): AuditQuery {
  const rawLimit = params.get("limit");
  const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1) throw badRequest(`limit must be a positive integer, got "${rawLimit ?? ""}"`);
  const since = params.get("since");
  const sinceDate = since === null ? undefined : new Date(since);
  if (sinceDate && Number.isNaN(sinceDate.getTime())) throw badRequest(`since must be an RFC 3339 time, got "${since ?? ""}"`);
  const cont = params.get("continue");
  const text = (k: string): string | undefined => params.get(k) ?? undefined;
  return {
    limit: Math.min(limit, MAX_LIMIT),
    ...(cont ? { before: decodeContinue(cont) } : {}),
    ...(sinceDate ? { since: sinceDate } : {}),
    user: text("user"), verb: text("verb"), namespace: text("namespace"), resource: text("resource"), name: text("name"),
  };
}

export const auditRoutes = new Hono<RoutesEnv>();

auditRoutes.get(AUDIT_EVENTS_PATH, async (c) => {
  requireAdmin(c.get("user"), "read the audit log");
  // This isolate's waiting rows first, so a client reads its own requests back.
  await settleAuditBuffer();
  const { rows, more } = await listAudit(c.env, auditQueryOf(new URL(c.req.url).searchParams));
  const last = rows[rows.length - 1];
  return json({
    kind: "EventList",
    apiVersion: "audit.k8s.io/v1",
    metadata: more && last ? { continue: encodeContinue(last.receivedAt.getTime(), last.id) } : {},
    items: rows.map(auditEventOf),
  });
});
