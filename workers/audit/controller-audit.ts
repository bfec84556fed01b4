/**
 * @module
 * Controllers in the Worker write through the object stores directly, not
 * through the HTTP API, so the audit middleware never sees them. Each
 * reconcile runs as its controller's own identity
 * (`system:controller:<name>`, upstream's controller-manager with
 * `--use-service-account-credentials` names them after the same roles), and
 * every write it makes that changed something or failed becomes an audit
 * record of that user.
 *
 * The records are buffered for the reconcile and written after it as one D1
 * batch (upstream's batching audit backend), so a ReplicaSet reconcile that
 * creates 500 pods costs one D1 round trip, not 500, and nothing on the
 * reconcile's own path. Writes of Events are left out, as upstream's usual
 * audit policies leave them out: they are the controllers' chatter, not changes
 * to workloads.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { ApiError } from "../../shared/k8s/errors";
import { kindByResource } from "../registry";
import type { ObjectOp } from "../objects/object-ops";
import type { ObjectRef } from "../objects/object-ref";
import type { AuditRecord } from "./audit-log";

/** The group every in-Worker controller identity is in (besides system:authenticated). */
export const CONTROLLERS_GROUP = "system:controllers";
/** The user agent of controller records: where the write came from. */
const USER_AGENT = "duraplane-controller-manager";
/** A reconcile that writes more than this keeps only the first ones, and says so in the last row. */
const MAX_RECORDS_PER_RUN = 2_000;
const MAX_MESSAGE = 1024;

/** One reconcile's identity and what it wrote. */
interface ControllerRun {
  username: string;
  records: AuditRecord[];
  dropped: number;
}

const current = new AsyncLocalStorage<ControllerRun>();

/**
 * Upstream's names for the controllers whose counterpart exists
 * (kube-controller-manager's `system:controller:<name>` roles); the others
 * are named `<key>-controller` after their reconcile key.
 */
const UPSTREAM_NAMES: Readonly<Record<string, string>> = {
  garbagecollector: "generic-garbage-collector",
  nodelifecycle: "node-controller",
  clusterroleaggregation: "clusterrole-aggregation-controller",
  serviceaccounts: "service-account-controller",
  resourcequota: "resourcequota-controller",
  scheduler: "kube-scheduler",
};

/** The username a controller acts as, e.g. `system:controller:replicaset-controller`. */
export function controllerUsername(controller: string): string {
  return `system:controller:${UPSTREAM_NAMES[controller] ?? `${controller}-controller`}`;
}

/** The identity the code running now acts as, when it is a controller's reconcile. */
export function currentController(): string | undefined {
  return current.getStore()?.username;
}

/**
 * Runs `reconcile` as `controller`; resolves with its result and the audit
 * records of its writes, which the caller flushes off its path
 * (audit-buffer.ts).
 */
export async function runAsController<T>(controller: string, reconcile: () => Promise<T>): Promise<{ result: T; records: AuditRecord[] }> {
  const run: ControllerRun = { username: controllerUsername(controller), records: [], dropped: 0 };
  try {
    const result = await current.run(run, reconcile);
    return { result, records: closeRun(run) };
  } catch (err) {
    // The writes a failed reconcile made happened all the same: they are recorded with the error.
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { auditRecords: closeRun(run) });
  }
}

/** The audit records a failed {@link runAsController} carried out, if any. */
export function auditRecordsOf(err: unknown): AuditRecord[] {
  const records = (err as { auditRecords?: unknown } | null)?.auditRecords;
  return Array.isArray(records) ? (records as AuditRecord[]) : [];
}

function closeRun(run: ControllerRun): AuditRecord[] {
  const last = run.records.at(-1);
  if (run.dropped > 0 && last) {
    last.message = `${last.message ?? ""} (${run.dropped} more writes of this reconcile were not recorded)`.trim();
  }
  return run.records;
}

/** The audit verb and subresource of a store operation; undefined for what is not audited here. */
function verbOf(op: ObjectOp): { verb: string; subresource: string | null } | undefined {
  switch (op.verb) {
    case "create": return { verb: "create", subresource: null };
    case "update": return { verb: "update", subresource: op.subresource || null };
    case "patch": return { verb: "patch", subresource: op.subresource || null };
    // Server-side apply is a PATCH upstream.
    case "apply": return { verb: "patch", subresource: op.subresource || null };
    case "delete": return { verb: "delete", subresource: null };
    case "updateScale": return { verb: "update", subresource: "scale" };
    case "bind": return { verb: "create", subresource: "binding" };
    // Host reports come only through the webhook, which the middleware audits.
    default: return undefined;
  }
}

/** The path a client would have sent the write to, for the record's requestURI. */
function requestUri(group: string, version: string, plural: string, ref: ObjectRef, subresource: string | null, verb: string): string {
  const base = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
  const ns = ref.namespace ? `/namespaces/${ref.namespace}` : "";
  const name = verb === "create" && subresource === null ? "" : `/${ref.name}`;
  return `${base}${ns}/${plural}${name}${subresource ? `/${subresource}` : ""}`;
}

/**
 * Notes one write by the running controller: a no-op outside a reconcile
 * (the API front's writes are audited by the middleware), for a write that
 * changed nothing, and for Events.
 */
export function noteControllerWrite(ref: ObjectRef, op: ObjectOp, receivedAt: Date, outcome: { changed: boolean } | { error: unknown }): void {
  const run = current.getStore();
  if (!run || op.dryRun) return;
  if ("changed" in outcome && !outcome.changed) return;
  const kind = kindByResource(ref.resource);
  if (!kind || kind.kind === "Event") return;
  const verb = verbOf(op);
  if (!verb) return;
  if (run.records.length >= MAX_RECORDS_PER_RUN) {
    run.dropped++;
    return;
  }
  const error = "error" in outcome ? outcome.error : undefined;
  const failure = error instanceof ApiError
    ? { code: error.code, reason: error.reason, message: error.message.slice(0, MAX_MESSAGE) }
    : error !== undefined
      ? { code: 500, reason: "InternalError", message: (error instanceof Error ? error.message : String(error)).slice(0, MAX_MESSAGE) }
      : { code: verb.verb === "create" ? 201 : 200, reason: null, message: null };
  run.records.push({
    id: crypto.randomUUID(), receivedAt, completedAt: new Date(), verb: verb.verb,
    requestUri: requestUri(kind.group, kind.version, kind.plural, ref, verb.subresource, verb.verb),
    username: run.username, groups: JSON.stringify([CONTROLLERS_GROUP, "system:authenticated"]),
    sourceIp: "", userAgent: USER_AGENT,
    apiGroup: kind.group, apiVersion: kind.version, resource: kind.plural, subresource: verb.subresource,
    namespace: ref.namespace || null, name: ref.name,
    ...failure,
  });
}
