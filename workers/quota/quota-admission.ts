/**
 * @module
 * ResourceQuota admission on the write path (registered as the store's
 * WriteAdmission in workers/index.ts). Before a create or a spec change of
 * any namespaced object, its charge is reserved in the namespace's QuotaSet
 * — refused with 403 and upstream's text when it does not fit — and given
 * back if the store then refuses the write. After a commit, charges follow
 * the object down: a deletion releases it, a pod or VMI reaching a terminal
 * phase gives back its compute. ResourceQuota writes push the quota's
 * definition to the QuotaSet, so the next create is already checked.
 */
import { forbiddenObject, invalid } from "../../shared/k8s/errors";
import type { KubeObject } from "../../shared/k8s/object";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { notSupported } from "../../shared/k8s/validation";
import type { ObjectRef } from "../objects/object-ref";
import type { PlannedWrite, UndoAdmission, WriteAdmission } from "../objects/write-admission";
import { refOf } from "../objects/write-rules";
import { POLICY_ANNOTATION } from "./policy";
import { policyNames, policyOf, resourceQuotaDefinition } from "./quota-definition";
import { quotaSetStub, type ChargeRequest } from "./quota-set";
import { limitRangeItems } from "./limit-range-items";

/** A spec change (generation bump) is admitted like a create. */
function isEnforced(prev: KubeObject | undefined, plan: PlannedWrite): boolean {
  if (plan.type === "DELETED") return false;
  return prev === undefined || prev.metadata.generation !== plan.object.metadata.generation;
}

/** A status change that can lower a charge: reaching a terminal phase. */
function mayRelease(kind: ResourceKind, prev: KubeObject | undefined, next: KubeObject): boolean {
  return prev !== undefined && kind.isTerminal !== undefined && kind.isTerminal(prev) !== kind.isTerminal(next);
}

function request(ref: ObjectRef, uid: string, object: KubeObject | undefined, enforce: boolean, dryRun: boolean, create = false): ChargeRequest {
  return {
    key: `${ref.resource}/${ref.name}`, resource: ref.resource, uid,
    object: object ? JSON.stringify(object) : null, enforce, dryRun, create,
  };
}

/** Takes LimitRanger's changes into the planned object, which must still be valid (requests ≤ limits). */
function adopt(kind: ResourceKind, plan: PlannedWrite, changed: string): void {
  const next = JSON.parse(changed) as KubeObject;
  const causes = kind.validate(next);
  if (causes.length > 0) throw invalid(kind.kind, next.metadata.name ?? "", causes, kind.group);
  // The status a create starts with depends on the resources (a pod's qosClass): computed again.
  const status = kind.initialStatus?.(next);
  if (status !== undefined) next.status = status;
  for (const key of Object.keys(plan.object) as (keyof KubeObject)[]) delete plan.object[key];
  Object.assign(plan.object, next);
}

/** A ResourceQuota must name a policy that exists. */
function checkPolicy(kind: ResourceKind, obj: KubeObject): void {
  const annotations = obj.metadata.annotations;
  if (policyOf(annotations)) return;
  const field = `metadata.annotations[${POLICY_ANNOTATION}]`;
  throw invalid(kind.kind, obj.metadata.name ?? "", [notSupported(field, annotations?.[POLICY_ANNOTATION] ?? "", policyNames())], kind.group);
}

/** The quota admission. */
export const quotaAdmission: WriteAdmission = {
  async before(env, kind, ref, prev, plan, dryRun): Promise<UndoAdmission | undefined> {
    if (!kind.namespaced || ref.namespace === "") return undefined;
    if (kind.kind === "ResourceQuota" && plan.type !== "DELETED") checkPolicy(kind, plan.object);
    if (!isEnforced(prev, plan)) return undefined;
    const uid = plan.object.metadata.uid ?? "";
    const stub = quotaSetStub(env, ref.namespace);
    const answer = await stub.charge(request(ref, uid, plan.object, true, dryRun, prev === undefined));
    if (answer.refused !== undefined) throw forbiddenObject(refOf(kind), ref.name, answer.refused);
    if (answer.object !== undefined) adopt(kind, plan, answer.object);
    if (dryRun) return undefined;
    return async () => {
      await stub.charge(request(ref, uid, prev, false, false));
    };
  },

  async after(env, kind, ref, prev, plan): Promise<void> {
    if (!kind.namespaced || ref.namespace === "") return;
    const stub = quotaSetStub(env, ref.namespace);
    try {
      if (kind.kind === "LimitRange") {
        await stub.syncLimitRange(ref.name, plan.type === "DELETED" ? null : limitRangeItems(plan.object));
      }
      if (kind.kind === "ResourceQuota") {
        await stub.syncQuota(ref.namespace, ref.name, plan.type === "DELETED" ? null : resourceQuotaDefinition(plan.object));
      }
      const uid = plan.object.metadata.uid ?? "";
      if (plan.type === "DELETED") await stub.charge(request(ref, uid, undefined, false, false));
      else if (!isEnforced(prev, plan) && mayRelease(kind, prev, plan.object)) await stub.charge(request(ref, uid, plan.object, false, false));
    } catch (err) {
      // The write is done; the ResourceQuota controller's recompute repairs a charge left behind.
      console.error(`quota bookkeeping after ${plan.type} of ${ref.resource}/${ref.namespace}/${ref.name} failed`, err);
    }
  },
};
