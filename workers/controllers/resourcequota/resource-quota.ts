/**
 * @module
 * The ResourceQuota controller (and the LimitRange sync beside it) (kube-controller-manager's resourcequota
 * controller, syncResourceQuota): for one quota, push its definition to the
 * namespace's QuotaSet, recompute every charge there from the stores (which
 * drops reservations a crash left without an object and charges objects a
 * lost release left behind), and publish `status.hard` (the spec) and
 * `status.used` when they changed. Keyed per quota; resynced every 30 s with
 * the other controller kinds, and enqueued by the QuotaSet when its charges
 * move.
 */
import type { Json } from "../../../shared/k8s/object";
import { isStale } from "../../client/errors";
import { patchGuarded } from "../../client/patch-guarded";
import { findObject } from "../../objects/client";
import { limitRangeItems } from "../../quota/limit-range-items";
import { resourceQuotaDefinition } from "../../quota/quota-definition";
import { quotaSetStub } from "../../quota/quota-set";
import type { ReconcileKey } from "../runtime/keys";
import type { ReconcileResult } from "../runtime/reconciler";
import { statusEqual } from "../shared/status-equal";

/** The registry key of ResourceQuotas. */
export const RESOURCE_QUOTAS = "/resourcequotas";

/** Reconciles one ResourceQuota. */
export async function reconcileResourceQuota(env: Env, key: ReconcileKey): Promise<ReconcileResult> {
  const quotas = quotaSetStub(env, key.namespace);
  const rq = await findObject(env, { resource: RESOURCE_QUOTAS, namespace: key.namespace, name: key.name });
  if (!rq || rq.metadata.deletionTimestamp) {
    await quotas.syncQuota(key.namespace, key.name, null);
    return {};
  }
  await quotas.syncQuota(key.namespace, key.name, resourceQuotaDefinition(rq));
  await quotas.recompute();
  const usage = await quotas.usage(key.name);
  if (!usage) return {};
  const status = { hard: usage.hard, used: usage.used };
  if (statusEqual(rq.status ?? {}, status)) return {};
  try {
    await patchGuarded(env, RESOURCE_QUOTAS, rq, [{ op: "add", path: "/status", value: status as unknown as Json }], "status");
  } catch (err) {
    // A newer quota is reconciled by the delivery its change enqueued.
    if (!isStale(err)) throw err;
  }
  return {};
}

/**
 * Keeps the namespace's QuotaSet holding what one LimitRange says (the write
 * path pushes it; this repairs a push a crash lost, on the 30 s resync).
 */
export async function reconcileLimitRange(env: Env, key: ReconcileKey): Promise<ReconcileResult> {
  const lr = await findObject(env, { resource: "/limitranges", namespace: key.namespace, name: key.name });
  await quotaSetStub(env, key.namespace).syncLimitRange(key.name, lr ? limitRangeItems(lr) : null);
  return {};
}
