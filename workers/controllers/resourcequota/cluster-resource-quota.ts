/**
 * @module
 * The ClusterResourceQuota controller (OpenShift's clusterquotareconciliation
 * controller): re-selects the namespaces the quota spans, recomputes its
 * charges across them from the stores, and publishes `status.total` and
 * `status.namespaces[]` when they changed.
 */
import type { Json } from "../../../shared/k8s/object";
import { isStale } from "../../client/errors";
import { patchGuarded } from "../../client/patch-guarded";
import { findObject } from "../../objects/client";
import { syncClusterQuota } from "../../quota/cluster-quota-sync";
import { clusterQuotaStub } from "../../quota/quota-set";
import type { ReconcileKey } from "../runtime/keys";
import type { ReconcileResult } from "../runtime/reconciler";
import { statusEqual } from "../shared/status-equal";

/** The registry key of ClusterResourceQuotas. */
export const CLUSTER_RESOURCE_QUOTAS = "quota.duraplane.io/clusterresourcequotas";

/** Reconciles one ClusterResourceQuota. */
export async function reconcileClusterResourceQuota(env: Env, key: ReconcileKey): Promise<ReconcileResult> {
  const crq = await findObject(env, { resource: CLUSTER_RESOURCE_QUOTAS, namespace: "", name: key.name });
  await syncClusterQuota(env, key.name, crq);
  if (!crq || crq.metadata.deletionTimestamp) return {};
  const set = clusterQuotaStub(env, key.name);
  await set.recompute();
  const total = await set.usage(key.name);
  if (!total) return {};
  const status = { total, namespaces: await set.usageByNamespace(key.name) };
  if (statusEqual(crq.status ?? {}, status)) return {};
  try {
    await patchGuarded(env, CLUSTER_RESOURCE_QUOTAS, crq, [{ op: "add", path: "/status", value: status as unknown as Json }], "status");
  } catch (err) {
    if (!isStale(err)) throw err;
  }
  return {};
}
