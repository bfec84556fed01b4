/**
 * @module
 * The audit stage of the request chain, outermost so it sees every answer,
 * refusals by authentication and authorization included. Every response
 * carries an `Audit-Id` header; the requests the policy selects are written
 * to the audit log after the response is complete, in the isolate's next
 * batch (audit-buffer.ts), so auditing adds no latency to the caller and one
 * D1 batch serves many requests.
 *
 * The policy (fixed, level Metadata — who, what, which object, the result;
 * never bodies): every request that may change something (any method but
 * GET and HEAD: creates, updates, patches, deletes, subresources such as
 * binding and scale, the host API and the webhook), every stream opened into
 * a workload (pods/log, exec, attach, portforward, a VMI's console and vnc,
 * GETs included), and every request
 * refused with 401 or 403. Reads and watches are not recorded: they change
 * nothing, and agents' watches would drown the log. Refusals of callers that
 * never authenticated are recorded at a bounded rate (refusal-sampler.ts),
 * so a flood of bad tokens costs no D1 insert per request.
 */
import type { MiddlewareHandler } from "hono";
import type { UserInfo } from "../api/auth";
import type { AuditRecord } from "./audit-log";
import { bufferAudit } from "./audit-buffer";
import { type Admission, omittedNote, RefusalSampler } from "./refusal-sampler";
import { requestInfo } from "./request-info";

/** What handlers learn that the URL and the bearer token do not say. */
export interface AuditNotes {
  /** A created object's name. */
  name?: string;
  /** The caller of a route that authenticates otherwise (the webhook: the node its path names). */
  user?: UserInfo;
  /** Who authenticated when the request impersonated another identity: the audit names them (upstream's `user`). */
  impersonator?: UserInfo;
}

type AuditEnv = { Bindings: Env; Variables: { user: UserInfo } };

/** Notes by request, so handlers reach them without a change to every route's context type. */
const notesByRequest = new WeakMap<Request, AuditNotes>();

/** The audit notes of a request being audited. */
export function auditNotesOf(req: Request): AuditNotes | undefined {
  return notesByRequest.get(req);
}

const ANONYMOUS: UserInfo = { username: "system:anonymous", groups: ["system:unauthenticated"] };
/** Messages are cut to this many characters: the log is for people, not a copy of responses. */
const MAX_MESSAGE = 1024;
/** Refusals before authentication: recorded at a bounded rate (refusal-sampler.ts). */
const REFUSED_CODES = new Set([401, 429]);
const refusals = new RefusalSampler();

/** Streams into workloads (logs, exec, attach, port-forward, consoles): every open is recorded, GETs included. */
const STREAM_SUBRESOURCES = new Set(["log", "exec", "attach", "portforward", "console", "vnc"]);

/** Whether the policy records this request. */
export function audited(method: string, code: number, subresource?: string): boolean {
  return (method !== "GET" && method !== "HEAD") || code === 401 || code === 403 || (subresource !== undefined && STREAM_SUBRESOURCES.has(subresource));
}

/** The Status reason and message of a failed JSON response, when it is small enough to read. */
async function failureOf(res: Response): Promise<{ reason?: string; message?: string }> {
  if (res.status < 400 || !(res.headers.get("content-type") ?? "").includes("json")) return {};
  try {
    const status = await res.clone().json<{ reason?: unknown; message?: unknown }>();
    return {
      ...(typeof status.reason === "string" ? { reason: status.reason } : {}),
      ...(typeof status.message === "string" ? { message: status.message.slice(0, MAX_MESSAGE) } : {}),
    };
  } catch {
    return {};
  }
}

/** The audit middleware. */
export const audit: MiddlewareHandler<AuditEnv> = async (c, next) => {
  const receivedAt = new Date();
  const id = crypto.randomUUID();
  const notes: AuditNotes = {};
  notesByRequest.set(c.req.raw, notes);
  await next();
  try {
    c.res.headers.set("Audit-Id", id);
  } catch {
    // immutable headers (a WebSocket upgrade answered by a Durable Object): the id is still logged
  }
  const method = c.req.method;
  const url = new URL(c.req.url);
  const info = requestInfo(method, url);
  const ref = info.objectRef;
  if (!audited(method, c.res.status, ref?.subresource)) return;
  const user = notes.impersonator ?? c.var.user ?? notes.user ?? ANONYMOUS;
  const admission: Admission = user === ANONYMOUS && REFUSED_CODES.has(c.res.status)
    ? refusals.admit(receivedAt.getTime())
    : { record: true };
  if (!admission.record) return;
  const failure = await failureOf(c.res);
  if (admission.omitted) {
    failure.message = `${failure.message ?? ""} ${omittedNote(admission.omitted)}`.trim().slice(0, MAX_MESSAGE);
  }
  const record: AuditRecord = {
    id, receivedAt, completedAt: new Date(), verb: info.verb,
    requestUri: `${url.pathname}${url.search}`.slice(0, 2048),
    username: user.username, groups: JSON.stringify(user.groups),
    // Upstream's impersonatedUser: who the request acted as, beside who authenticated.
    ...(notes.impersonator && c.var.user
      ? { impersonatedUsername: c.var.user.username, impersonatedGroups: JSON.stringify(c.var.user.groups) }
      : {}),
    sourceIp: c.req.header("cf-connecting-ip") ?? "", userAgent: (c.req.header("user-agent") ?? "").slice(0, 512),
    apiGroup: ref?.apiGroup ?? null, apiVersion: ref?.apiVersion ?? null, resource: ref?.resource ?? null,
    subresource: ref?.subresource ?? null, namespace: ref?.namespace ?? null, name: ref?.name ?? notes.name ?? null,
    code: c.res.status, reason: null, message: null,
    ...failure,
  };
  // Written with the isolate's next batch, after the response (audit-buffer.ts).
  bufferAudit([record]);
};
