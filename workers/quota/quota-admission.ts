/**
 * @module
 * Quota admission on the write path (registered as the store's
 * WriteAdmission in workers/index.ts). Before a create or a spec change of
 * any namespaced object, the namespace's QuotaSet runs LimitRanger (on
 * creates) and reserves the object's charge under its ResourceQuotas; then
 * every ClusterResourceQuota spanning the namespace reserves it in its own
 * set. A refusal anywhere gives back what was reserved and answers 403 with
 * upstream's text; a write the store then refuses gives it all back. After a
 * commit, charges follow the object down: a deletion releases it, a pod or
 * VMI reaching a terminal phase gives back its compute. ResourceQuota,
 * LimitRange and ClusterResourceQuota writes push themselves into the sets,
 * so the next create is already checked against them.
 */
import { forbiddenObject, invalid } from "../../shared/k8s/errors";
import type { KubeObject } from "../../shared/k8s/object";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { notSupported } from "../../shared/k8s/validation";
import type { ObjectRef } from "../objects/object-ref";
import type { PlannedWrite, UndoAdmission, WriteAdmission } from "../objects/write-admission";
import { refOf } from "../objects/write-rules";
import { syncClusterQuota } from "./cluster-quota-sync";
import { limitRangeItems } from "./limit-range-items";
import { POLICY_ANNOTATION } from "./policy";
import { policyNames, policyOf, resourceQuotaDefinition } from "./quota-definition";
import { chargeKey, clusterQuotaStub, quotaSetStub, type ChargeRequest, type QuotaSet } from "./quota-set";

/**
 * Namespaces whose quota set answered inert (no ResourceQuota, LimitRange or
 * ClusterResourceQuota), until when, per isolate: a write there skips the set,
 * so a namespace without quotas pays no Durable Object call per write. A
 * quota, limit range or cluster quota written through this isolate clears
 * the entry at once; one written elsewhere counts here within INERT_MS — as
 * upstream's quota admission, which reads its quotas from an informer cache,
 * and whose controller's recompute of `used` covers a write admitted in
 * between.
 */
const INERT_MS = 1000;
const INERT_CAPACITY = 10_000;
const inertUntil = new Map<string, number>();

function knownInert(namespace: string, now: number): boolean {
  return (inertUntil.get(namespace) ?? 0) > now;
}

function rememberInert(namespace: string, now: number): void {
  inertUntil.delete(namespace);
  inertUntil.set(namespace, now + INERT_MS);
  if (inertUntil.size > INERT_CAPACITY) {
    const oldest = inertUntil.keys().next().value;
    if (oldest !== undefined) inertUntil.delete(oldest);
  }
}

/** A spec change (generation bump) is admitted like a create. */
function isEnforced(prev: KubeObject | undefined, plan: PlannedWrite): boolean {
  if (plan.type === "DELETED") return false;
  return prev === undefined || prev.metadata.generation !== plan.object.metadata.generation;
}

/** A status change that can lower a charge: reaching a terminal phase. */
function mayRelease(kind: ResourceKind, prev: KubeObject | undefined, next: KubeObject): boolean {
  return prev !== undefined && kind.isTerminal !== undefined && kind.isTerminal(prev) !== kind.isTerminal(next);
}

function request(ref: ObjectRef, uid: string, object: KubeObject | undefined, opts: { enforce?: boolean; dryRun?: boolean; create?: boolean } = {}): ChargeRequest {
  return {
    key: chargeKey(ref.resource, ref.namespace, ref.name), resource: ref.resource, uid,
    object: object ? JSON.stringify(object) : null,
    enforce: opts.enforce ?? false, dryRun: opts.dryRun ?? false, create: opts.create ?? false,
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

/** A ResourceQuota or ClusterResourceQuota must name a policy that exists. */
function checkPolicy(kind: ResourceKind, obj: KubeObject): void {
  const annotations = obj.metadata.annotations;
  if (policyOf(annotations)) return;
  const field = `metadata.annotations[${POLICY_ANNOTATION}]`;
  throw invalid(kind.kind, obj.metadata.name ?? "", [notSupported(field, annotations?.[POLICY_ANNOTATION] ?? "", policyNames())], kind.group);
}

/** Gives back, in every set, what was reserved there. */
async function undoAll(sets: DurableObjectStub<QuotaSet>[], back: ChargeRequest): Promise<void> {
  for (const set of sets) await set.charge(back);
}

/** The quota admission. */
export const quotaAdmission: WriteAdmission = {
  async before(env, kind, ref, prev, plan, dryRun): Promise<UndoAdmission | undefined> {
    const isQuota = kind.kind === "ResourceQuota" || kind.kind === "ClusterResourceQuota";
    if (isQuota && plan.type !== "DELETED") checkPolicy(kind, plan.object);
    if (!kind.namespaced || ref.namespace === "" || !isEnforced(prev, plan)) return undefined;
    const now = Date.now();
    if (knownInert(ref.namespace, now)) return undefined;
    const uid = plan.object.metadata.uid ?? "";
    const back = request(ref, uid, prev);
    const local = quotaSetStub(env, ref.namespace);
    const answer = await local.charge(request(ref, uid, plan.object, { enforce: true, dryRun, create: prev === undefined }));
    if (answer.inert) {
      rememberInert(ref.namespace, now);
      return undefined;
    }
    if (answer.refused !== undefined) throw forbiddenObject(refOf(kind), ref.name, answer.refused);
    if (answer.object !== undefined) adopt(kind, plan, answer.object);
    const reserved = [local];
    for (const name of answer.clusterQuotas ?? []) {
      const set = clusterQuotaStub(env, name);
      const shared = await set.charge(request(ref, uid, plan.object, { enforce: true, dryRun }));
      if (shared.refused !== undefined) {
        if (!dryRun) await undoAll(reserved, back);
        throw forbiddenObject(refOf(kind), ref.name, shared.refused);
      }
      reserved.push(set);
    }
    return dryRun ? undefined : () => undoAll(reserved, back);
  },

  async after(env, kind, ref, prev, plan): Promise<void> {
    try {
      if (kind.kind === "ClusterResourceQuota") {
        await syncClusterQuota(env, ref.name, plan.type === "DELETED" ? undefined : plan.object);
        // Once the sets know it (not before, or a write in between would find them inert again): a cluster quota may span any namespace.
        inertUntil.clear();
      }
      if (!kind.namespaced || ref.namespace === "") return;
      const local = quotaSetStub(env, ref.namespace);
      if (kind.kind === "LimitRange") await local.syncLimitRange(ref.name, plan.type === "DELETED" ? null : limitRangeItems(plan.object));
      if (kind.kind === "ResourceQuota") {
        await local.syncQuota(ref.namespace, ref.name, plan.type === "DELETED" ? null : resourceQuotaDefinition(plan.object));
      }
      // Once the set knows them: this namespace's set is no longer known to be inert.
      if (kind.kind === "ResourceQuota" || kind.kind === "LimitRange") inertUntil.delete(ref.namespace);
      const uid = plan.object.metadata.uid ?? "";
      const release = plan.type === "DELETED" ? request(ref, uid, undefined)
        : !isEnforced(prev, plan) && mayRelease(kind, prev, plan.object) ? request(ref, uid, plan.object) : undefined;
      if (!release || knownInert(ref.namespace, Date.now())) return;
      const answer = await local.charge(release);
      for (const name of answer.clusterQuotas ?? []) await clusterQuotaStub(env, name).charge(release);
    } catch (err) {
      // The write is done; the controllers' recompute repairs a charge left behind.
      console.error(`quota bookkeeping after ${plan.type} of ${ref.resource}/${ref.namespace}/${ref.name} failed`, err);
    }
  },
};
