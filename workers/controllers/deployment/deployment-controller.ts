/**
 * @module
 * The Deployment controller's reconcile: get the Deployment → claim its
 * ReplicaSets by selector and controller reference (adopt, release) → list
 * their pods for Recreate → plan one sync (sync-deployment.ts, pure) →
 * perform it. Keys come from the Deployment's own changes and from every
 * change of a ReplicaSet it controls (keys.ts), like upstream's informers.
 */
import { labelSelectorFromObject, nothing, type LabelSelector } from "../../../shared/k8s/labels";
import type { KubeObject } from "../../../shared/k8s/object";
import type { Deployment, ReplicaSet } from "../../../shared/schemas";
import { asKind } from "../../../shared/schemas/meta";
import { cachedListAll } from "../../client/list-cache";
import { findObject } from "../../objects/client";
import type { ReconcileKey } from "../runtime/keys";
import type { ReconcileResult } from "../runtime/reconciler";
import { claimAndAdopt, RESOURCES } from "../replicaset/replicas-sync";
import { claimChildren, getControllerOf } from "../replicaset/replicas";
import { DEPLOYMENTS, executePlan, RequeueNow } from "./execute-plan";
import { syncDeployment } from "./sync-deployment";

/** apps/v1 Deployment (pkg/controller/deployment syncDeployment). */
export async function reconcileDeployment(env: Env, key: ReconcileKey): Promise<ReconcileResult> {
  const obj = await findObject(env, { resource: DEPLOYMENTS, namespace: key.namespace, name: key.name });
  if (!obj) return {};
  const d = asKind<Deployment>(obj);
  let selector = nothing();
  try {
    if (d.spec?.selector) selector = labelSelectorFromObject(d.spec.selector as LabelSelector);
  } catch {
    // An invalid selector matches nothing; validation keeps it from being stored.
  }
  const all = await cachedListAll(env, { resource: RESOURCES.replicasets, namespace: key.namespace });
  const owned = await claimAndAdopt(env, RESOURCES.replicasets, obj, all, selector);
  const uids = new Set(owned.map((rs) => rs.metadata.uid));
  // An adoption lost to a concurrent write must not be planned around: a new
  // ReplicaSet would duplicate the orphan. Upstream's ClaimReplicaSets fails the sync the same way.
  if (claimChildren(obj, all, selector).adopt.some((rs) => !uids.has(rs.metadata.uid))) return { requeueAfterSeconds: 1 };
  let pods: KubeObject[] = [];
  if (d.spec?.strategy?.type === "Recreate") {
    pods = (await cachedListAll(env, { resource: RESOURCES.pods, namespace: key.namespace }))
      .filter((p) => uids.has(getControllerOf(p)?.uid));
  }
  const plan = syncDeployment(d, owned.map((rs) => asKind<ReplicaSet>(rs)), pods, new Date());
  try {
    await executePlan(env, obj, plan);
  } catch (err) {
    if (err instanceof RequeueNow) return { requeueAfterSeconds: 1 };
    throw err;
  }
  return plan.requeueAfterSeconds !== undefined ? { requeueAfterSeconds: plan.requeueAfterSeconds } : {};
}
