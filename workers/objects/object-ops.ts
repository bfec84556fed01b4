/**
 * @module
 * The write operations an ObjectStore accepts, and `planWrite`, which turns
 * one into the next state (or an ApiError) without touching storage.
 */
import { alreadyExists, badRequest, notFound, unsupportedMediaType } from "../../shared/k8s/errors";
import { applyJsonPatch } from "../../shared/k8s/json-patch";
import { nestedTooDeeply, valueTooDeep } from "../../shared/k8s/limits";
import { applyMergePatch } from "../../shared/k8s/merge-patch";
import { jsonEqual } from "../../shared/k8s/json-value";
import { deepCopy, isJsonObject, type Json, type JsonObject, type KubeObject } from "../../shared/k8s/object";
import { apiVersionOf, type ResourceKind } from "../../shared/k8s/resource-kind";
import { applyConfiguration, type ApplyOptions, createdByApply } from "../../shared/k8s/server-side-apply";
import { formatTime } from "../../shared/k8s/time";
import { applyStrategicMergePatch } from "../../shared/k8s/strategic-merge-patch";
import { type BindOp, planBind } from "./bind-op";
import type { EventType } from "./collection-store";
import { type DeleteOptions, prepareDelete, shouldRemove } from "./delete-rules";
import { checkObjectSize } from "./object-size";
import type { ObjectRef } from "./object-ref";
import { admitNodeWrite } from "./node-admission";
import { admitRbacWrite, type RbacGuard } from "../rbac/escalation";
import { refuseProtoKeys } from "./proto-key-check";
import { planReport, type ReportOp } from "./report-op";
import type { Facts } from "./server-facts";
import { scaleOf, updateScale } from "./scale";
import { changed, prepareCreate, prepareUpdate, refOf } from "./write-rules";
import { setManagedFields, trackUpdate } from "./field-tracking";

/** Media types of PATCH bodies. */
export type PatchType = "merge" | "json" | "strategic";

interface Common {
  dryRun?: boolean;
  strict?: boolean;
  /** The write is node `byNode`'s own (its token, its webhook): NodeRestriction admits the result (node-admission.ts). */
  byNode?: string;
  /** A write to an RBAC object by a caller outside system:masters: escalation prevention admits the result (rbac/escalation.ts). */
  rbacGuard?: RbacGuard;
  /** The field manager managedFields records the write under (create, update, patch, apply, scale); none: not recorded. */
  manager?: string;
}

/** One write, as the API front sends it to the object's store. */
export type ObjectOp = Common &
  (
    | { verb: "create"; input: Json; uid: string }
    | { verb: "update"; input: Json; subresource: "" | "status" }
    | { verb: "patch"; patchType: PatchType; patch: Json; subresource: "" | "status" | "scale" }
    | { verb: "apply"; applied: JsonObject; subresource: "" | "status"; uid: string; force?: boolean }
    | { verb: "delete"; options: DeleteOptions }
    | { verb: "updateScale"; scale: Json }
    | ReportOp
    | BindOp
  );

/** What a write leads to: `type` undefined means nothing changed. */
export interface WritePlan {
  type?: EventType;
  object: KubeObject;
  created: boolean;
}

function asJson(obj: KubeObject): JsonObject {
  return deepCopy(obj) as unknown as JsonObject;
}

function asJsonWithoutManagedFields(obj: KubeObject): JsonObject {
  const { managedFields: _managed, ...metadata } = obj.metadata;
  return deepCopy({ ...obj, metadata }) as unknown as JsonObject;
}

/**
 * Applies a PATCH body of the given type to a JSON document. The result is
 * refused (400) if it nests deeper than the limit: JSON patch `copy` and
 * `move` can nest a document deeper than either input, and what follows
 * (decoding, validation) recurses per level.
 */
export function patchDocument(kind: ResourceKind, doc: JsonObject, type: PatchType, patch: Json): Json {
  const patched = applyPatch(kind, doc, type, patch);
  if (valueTooDeep(patched)) throw nestedTooDeeply("the patched object");
  return patched;
}

function applyPatch(kind: ResourceKind, doc: JsonObject, type: PatchType, patch: Json): Json {
  switch (type) {
    case "merge":
      return applyMergePatch(doc, patch);
    case "json":
      return applyJsonPatch(doc, patch);
    case "strategic":
      if (!kind.patchMeta) {
        throw unsupportedMediaType(
          "the body of the request was in an unknown format - accepted media types include: " +
            "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
        );
      }
      if (!isJsonObject(patch)) throw badRequest("strategic merge patch must be a JSON object");
      return applyStrategicMergePatch(doc, patch, kind.patchMeta);
  }
}

/**
 * An update whose result may end a deletion (finalizers emptied after the
 * grace period). `managedChanged`: only managedFields changed, which is
 * still a write (an apply taking shared ownership, a client resetting them).
 */
function planUpdate(kind: ResourceKind, current: KubeObject, next: KubeObject, now: number, managedChanged = false): WritePlan {
  if (!managedChanged && !changed(current, next)) return { object: current, created: false };
  if (shouldRemove(next, now)) return { type: "DELETED", object: next, created: false };
  return { type: "MODIFIED", object: next, created: false };
}

/**
 * Computes the next state for `op` against `current` (undefined when
 * absent), given the store's facts about it; a node's write to a Node is
 * admitted on that state. A created or modified object larger than the
 * limit is refused here (413), before anything is stored; a deletion is
 * never refused for its size, so an object stored before the limit existed
 * can still be deleted.
 */
export function planWrite(
  kind: ResourceKind,
  ref: ObjectRef,
  current: KubeObject | undefined,
  op: ObjectOp,
  now: number,
  facts: Facts = {},
): WritePlan {
  refuseProtoKeys(kind, ref.name, op);
  const plan = planNext(kind, ref, current, op, now, facts);
  if (plan.type === "ADDED" || plan.type === "MODIFIED") checkObjectSize(plan.object);
  if (op.byNode !== undefined && kind.kind === "Node" && plan.type !== undefined) admitNodeWrite(op.byNode, ref.name, current, plan.object);
  if (op.rbacGuard && (plan.type === "ADDED" || plan.type === "MODIFIED")) admitRbacWrite(kind.plural, ref.name, op.rbacGuard, plan.object);
  return plan;
}

function planNext(
  kind: ResourceKind,
  ref: ObjectRef,
  current: KubeObject | undefined,
  op: ObjectOp,
  now: number,
  facts: Facts,
): WritePlan {
  const strict = op.strict ?? false;
  // Apply creates a missing object, but not through its status: a subresource needs its object (upstream: 404).
  if (op.verb === "create" || (op.verb === "apply" && !current && op.subresource === "")) {
    if (current) throw alreadyExists(refOf(kind), ref.name);
    const input = op.verb === "create" ? op.input : op.applied;
    const object = prepareCreate(kind, input, { strict, name: ref.name, namespace: ref.namespace, uid: op.uid, now });
    if (op.verb === "create") trackUpdate(kind, undefined, object, { manager: op.manager, requested: managedFieldsOf(input), subresource: "", now });
    else setManagedFields(object, createdByApply(op.applied, kind.patchMeta, applyOptions(kind, op, now)));
    return { type: "ADDED", object, created: true };
  }
  if (!current) throw notFound(refOf(kind), ref.name);
  switch (op.verb) {
    case "update": {
      const next = prepareUpdate(kind, current, op.input, { strict, subresource: op.subresource });
      const managed = trackUpdate(kind, current, next, { manager: op.manager, requested: managedFieldsOf(op.input), subresource: op.subresource, now });
      return planUpdate(kind, current, next, now, managed);
    }
    case "patch": {
      if (op.subresource === "scale") {
        const patched = patchDocument(kind, scaleOf(kind, current) as unknown as JsonObject, op.patchType, op.patch);
        const next = updateScale(kind, current, patched);
        trackUpdate(kind, current, next, { manager: op.manager, subresource: "scale", now });
        return planUpdate(kind, current, next, now);
      }
      // A /status patch cannot change managedFields, so they are not copied into the document to patch.
      const patched = patchDocument(kind, op.subresource === "status" ? asJsonWithoutManagedFields(current) : asJson(current), op.patchType, op.patch);
      const next = prepareUpdate(kind, current, patched, { strict, subresource: op.subresource });
      const managed = trackUpdate(kind, current, next, { manager: op.manager, requested: managedFieldsOf(patched), subresource: op.subresource, now });
      return planUpdate(kind, current, next, now, managed);
    }
    case "apply": {
      const applied = applyConfiguration(asJson(current), op.applied, kind.patchMeta, applyOptions(kind, op, now));
      const next = prepareUpdate(kind, current, applied.object, { strict, subresource: op.subresource });
      setManagedFields(next, applied.managedFields);
      return planUpdate(kind, current, next, now, !jsonEqual((current.metadata.managedFields ?? []) as Json, applied.managedFields as unknown as Json));
    }
    case "delete": {
      const result = prepareDelete(kind, current, op.options, now);
      if (result.type === "MODIFIED" && !changed(current, result.object)) return { object: current, created: false };
      return { ...result, created: false };
    }
    case "updateScale": {
      const next = updateScale(kind, current, op.scale);
      trackUpdate(kind, current, next, { manager: op.manager, subresource: "scale", now });
      return planUpdate(kind, current, next, now);
    }
    case "report": {
      const next = planReport(kind, current, op, now, facts.observedSequence ?? 0);
      // Recorded as upstream's node agents name themselves; a report may also drop a finalizer, so all fields are compared.
      trackUpdate(kind, current, next, { manager: kind.group === "kubevirt.io" ? "virt-handler" : "kubelet", subresource: "status", scope: "object", now });
      return planUpdate(kind, current, next, now);
    }
    case "bind":
      return planUpdate(kind, current, planBind(kind, current, op, now), now);
  }
}

/** The managedFields a request's object carries, if any. */
function managedFieldsOf(input: Json): Json | undefined {
  const meta = isJsonObject(input) ? input.metadata : undefined;
  return isJsonObject(meta) ? meta.managedFields : undefined;
}

/** Who applies, as server-side apply needs it. */
function applyOptions(kind: ResourceKind, op: { manager?: string; force?: boolean; subresource: "" | "status" }, now: number): ApplyOptions {
  return {
    who: { manager: op.manager ?? "", operation: "Apply", apiVersion: apiVersionOf(kind), subresource: op.subresource },
    force: op.force ?? false,
    scope: op.subresource === "status" ? "status" : "main",
    time: formatTime(now),
  };
}
