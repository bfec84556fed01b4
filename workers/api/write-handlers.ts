/**
 * @module
 * The write verbs, generic over every kind: create (with generateName
 * retries), update, patch (merge, JSON, strategic, apply), delete and
 * deletecollection, each for the main resource and its subresources.
 */
import { badRequest, unsupportedMediaType } from "../../shared/k8s/errors";
import { deepCopy, isJsonObject, type Json, type KubeObject } from "../../shared/k8s/object";
import type { DeleteOptions } from "../objects/delete-rules";
import type { PatchType } from "../objects/object-ops";
import { scaleOf } from "../objects/scale";
import { apiVersionOf } from "../../shared/k8s/resource-kind";
import { mediaType, parseJsonOrYaml, parseJsonText, readBodyText, readObjectBody } from "./body";
import { admitApplyIn, admitCreateIn, admitDelete, forgetNamespace } from "./namespaces";
import { listRequestOf } from "./read-handlers";
import { listAll } from "../client/list-all";
import { type ResourcePath, refOfPath } from "./resource-path";
import { checkName, checkNamespace, checkTypeMeta, fieldManagerOf, gracePeriodOption, metaOf, nameForCreate, writeOptions } from "./request-options";
import { createObject } from "../objects/create";
import { json, writtenResponse } from "./respond";
import { writeObject, type Written } from "../objects/client";
import { runBounded } from "../bounded";
import type { AuditNotes } from "../audit/audit-middleware";
import { isNotFound } from "../client/errors";
import { admitKindCreate } from "./migration-admission";
import { resourceKey } from "../registry";
import type { RbacGuard } from "../rbac/escalation";

/** What every handler gets. */
export interface HandlerContext {
  env: Env;
  req: Request;
  url: URL;
  path: ResourcePath;
  /** Where a create leaves the object's name for the audit log (the URL does not carry it). */
  audit?: AuditNotes;
  /** The authenticated username (watches are capped per user). */
  user?: string;
  /** The Node the caller's token is bound to: its writes are admitted by NodeRestriction in the store. */
  node?: string;
  /** Escalation prevention's guard for a write to an RBAC object (rbac/escalation.ts), checked by the store. */
  rbacGuard?: RbacGuard;
}

/** The op field that makes the store admit a node's write (node-admission.ts). */
function writer(ctx: HandlerContext): { byNode?: string; rbacGuard?: RbacGuard } {
  return { ...(ctx.node === undefined ? {} : { byNode: ctx.node }), ...(ctx.rbacGuard ? { rbacGuard: ctx.rbacGuard } : {}) };
}

const SCALE_TYPE = { apiVersion: "autoscaling/v1", kind: "Scale" };

/** A written object's answer, from its stored JSON (respond.ts: writtenResponse). */
function respondWritten(ctx: HandlerContext, written: Written, status: number): Response {
  return writtenResponse(ctx.path.kind, written, ctx.req.headers.get("accept"), ctx.url.searchParams.get("includeObject") ?? undefined, status);
}

/** POST to a collection. */
export async function createHandler(ctx: HandlerContext): Promise<Response> {
  const { kind, namespace } = ctx.path;
  const opts = writeOptions(ctx.url.searchParams);
  const manager = fieldManagerOf(ctx.url.searchParams, ctx.req.headers.get("user-agent"), "CreateOptions");
  const body = checkTypeMeta(kind, await readObjectBody(ctx.req));
  checkNamespace(kind, body, namespace);
  const target = nameForCreate(kind, body);
  if (ctx.audit && target.name) ctx.audit.name = target.name;
  await admitCreateIn(ctx.env, kind, namespace ?? "", target.name ?? target.generateName ?? "");
  await admitKindCreate(ctx.env, resourceKey(kind), namespace ?? "", body);
  const result = await createObject(ctx.env, { kind, namespace: namespace ?? "", ...target, ...opts, manager, ...(ctx.rbacGuard ? { rbacGuard: ctx.rbacGuard } : {}) }, body);
  // A generated name is known only from the object; a given one needs no parse.
  if (ctx.audit) ctx.audit.name = target.name ?? result.object.metadata.name;
  return respondWritten(ctx, result, 201);
}

/** PUT to an object, its /status or its /scale. */
export async function updateHandler(ctx: HandlerContext, name: string): Promise<Response> {
  const { kind, namespace, subresource } = ctx.path;
  const opts = { ...writeOptions(ctx.url.searchParams), manager: fieldManagerOf(ctx.url.searchParams, ctx.req.headers.get("user-agent"), "UpdateOptions") };
  const raw = await readObjectBody(ctx.req);
  const ref = refOfPath(ctx.path, name);
  if (subresource === "scale") {
    const body = checkTypeMeta(kind, raw, SCALE_TYPE);
    checkName(body, name);
    const result = await writeObject(ctx.env, ref, { verb: "updateScale", scale: body, ...opts });
    return json(scaleOf(kind, result.object));
  }
  const body = checkTypeMeta(kind, raw);
  checkNamespace(kind, body, namespace);
  checkName(body, name);
  const result = await writeObject(ctx.env, ref, {
    verb: "update", input: body, subresource: subresource === "status" ? "status" : "", ...opts, ...writer(ctx),
  });
  return respondWritten(ctx, result, 200);
}

const PATCH_TYPES: Record<string, PatchType | "apply"> = {
  "application/merge-patch+json": "merge",
  "application/json-patch+json": "json",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

/** PATCH of an object, its /status or its /scale. */
export async function patchHandler(ctx: HandlerContext, name: string): Promise<Response> {
  const { kind, namespace, subresource } = ctx.path;
  const opts = { ...writeOptions(ctx.url.searchParams), manager: fieldManagerOf(ctx.url.searchParams, ctx.req.headers.get("user-agent"), "PatchOptions") };
  const type = PATCH_TYPES[mediaType(ctx.req.headers.get("content-type"))];
  if (!type) {
    const accepted = kind.patchMeta
      ? "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"
      : "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";
    throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${accepted}`);
  }
  const text = await readBodyText(ctx.req);
  if (text.trim() === "") throw badRequest("the request body is empty");
  const ref = refOfPath(ctx.path, name);
  const sub = subresource === "status" ? "status" : "";
  if (type === "apply") {
    if (!ctx.url.searchParams.get("fieldManager")) {
      throw badRequest("PATCH, application/apply-patch+yaml requires fieldManager to be set");
    }
    if (subresource === "scale") throw unsupportedMediaType("apply is not supported on the scale subresource");
    const body = checkTypeMeta(kind, parseJsonOrYaml(text));
    checkNamespace(kind, body, namespace);
    checkName(body, name);
    const managed = metaOf(body).managedFields;
    if (managed !== undefined && managed !== null) throw badRequest("metadata.managedFields must be nil");
    await admitApplyIn(ctx.env, kind, ref);
    const force = ctx.url.searchParams.get("force") === "true";
    const result = await writeObject(ctx.env, ref, { verb: "apply", applied: body, subresource: sub, uid: crypto.randomUUID(), force, ...opts, ...writer(ctx) });
    return respondWritten(ctx, result, result.created ? 201 : 200);
  }
  const patch = parseJsonText(text, "the patch");
  const result = await writeObject(ctx.env, ref, {
    verb: "patch", patchType: type, patch, subresource: subresource === "scale" ? "scale" : sub, ...opts, ...writer(ctx),
  });
  if (subresource === "scale") return json(scaleOf(kind, result.object));
  return respondWritten(ctx, result, 200);
}

/** DeleteOptions from the body (JSON) and the query, as upstream merges them. */
async function deleteOptions(ctx: HandlerContext): Promise<DeleteOptions> {
  const text = await readBodyText(ctx.req);
  const opts: DeleteOptions = {};
  if (text.trim() !== "") {
    const body = parseJsonOrYaml(text);
    if (!isJsonObject(body)) throw badRequest("DeleteOptions must be a JSON object");
    if (body.gracePeriodSeconds !== undefined && body.gracePeriodSeconds !== null) {
      if (typeof body.gracePeriodSeconds !== "number") throw badRequest("gracePeriodSeconds must be an integer");
      opts.gracePeriodSeconds = gracePeriodOption(body.gracePeriodSeconds);
    }
    if (typeof body.propagationPolicy === "string") opts.propagationPolicy = body.propagationPolicy;
    if (typeof body.orphanDependents === "boolean") opts.orphanDependents = body.orphanDependents;
    if (isJsonObject(body.preconditions)) {
      const p = body.preconditions;
      opts.preconditions = {
        ...(typeof p.uid === "string" ? { uid: p.uid } : {}),
        ...(typeof p.resourceVersion === "string" ? { resourceVersion: p.resourceVersion } : {}),
      };
    }
  }
  const q = ctx.url.searchParams;
  const grace = q.get("gracePeriodSeconds");
  if (grace !== null) opts.gracePeriodSeconds = gracePeriodOption(grace);
  const policy = q.get("propagationPolicy");
  if (policy !== null) opts.propagationPolicy = policy;
  const orphan = q.get("orphanDependents");
  if (orphan !== null) opts.orphanDependents = orphan === "true";
  return opts;
}

/** DELETE of one object. */
export async function deleteHandler(ctx: HandlerContext, name: string): Promise<Response> {
  const opts = writeOptions(ctx.url.searchParams);
  const options = await deleteOptions(ctx);
  admitDelete(ctx.path.kind, name);
  if (ctx.path.kind.kind === "Namespace") forgetNamespace(name);
  const result = await writeObject(ctx.env, refOfPath(ctx.path, name), { verb: "delete", options, ...opts });
  return respondWritten(ctx, result, 200);
}

const DELETE_COLLECTION_CONCURRENCY = 16;

/**
 * DELETE of a collection: every object the selectors match, a bounded number
 * at a time, yielding to the runtime between deletes (workers/bounded.ts).
 * Objects already gone are skipped; the first other failure is the answer.
 */
export async function deleteCollectionHandler(ctx: HandlerContext): Promise<Response> {
  const { kind } = ctx.path;
  const opts = writeOptions(ctx.url.searchParams);
  const options = await deleteOptions(ctx);
  const items = await listAll(ctx.env, listRequestOf(ctx));
  const deleted: KubeObject[] = [];
  const errors = await runBounded(items.map((obj) => async () => {
    try {
      const r = await writeObject(ctx.env, refOfPath({ ...ctx.path, namespace: obj.metadata.namespace }, obj.metadata.name ?? ""), {
        verb: "delete", options: deepCopy(options), ...opts,
      });
      deleted.push(r.object);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }), DELETE_COLLECTION_CONCURRENCY);
  if (errors.length > 0) throw errors[0];
  return json({ kind: kind.listKind, apiVersion: apiVersionOf(kind), metadata: {}, items: deleted });
}
