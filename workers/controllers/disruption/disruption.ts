/**
 * @module
 * The disruption controller (kube-controller-manager
 * pkg/controller/disruption): keeps every PodDisruptionBudget's status —
 * currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed,
 * disruptedPods, observedGeneration and the DisruptionAllowed condition —
 * from the pods it selects and their controllers' desired replicas. Keyed
 * per namespace (disruption-keys.ts); the eviction subresource reads what it
 * writes.
 */
import type { Json, KubeObject } from "../../../shared/k8s/object";
import { isStale } from "../../client/errors";
import { listAll } from "../../client/list-all";
import { patchGuarded } from "../../client/patch-guarded";
import { findObject } from "../../objects/client";
import { kindOf, objectRefOf, resourceKey } from "../../registry";
import type { ReconcileKey } from "../runtime/keys";
import type { ReconcileResult } from "../runtime/reconciler";
import { desiredReplicas, isDeleting } from "../shared/object-fields";
import { statusEqual } from "../shared/status-equal";
import { calculatePdbStatus, pdbSelects } from "./disruption-status";

/** The registry key of PodDisruptionBudgets. */
export const PDBS = resourceKey({ group: "policy", plural: "poddisruptionbudgets" });
const PODS = resourceKey({ group: "", plural: "pods" });

/**
 * The desired replicas of the pods' controllers, by controller uid: the
 * controller's own controller when it has a scale (a Deployment's
 * ReplicaSet counts as the Deployment, upstream's finders), else the
 * controller itself. Pods without a controller are not counted.
 */
async function controllerReplicas(env: Env, pods: readonly KubeObject[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const seen = new Set<string>();
  for (const pod of pods) {
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
    if (!ref || seen.has(ref.uid)) continue;
    seen.add(ref.uid);
    let owner = await ownerOf(env, pod, ref);
    const grand = owner?.metadata.ownerReferences?.find((r) => r.controller);
    const upper = owner && grand ? await ownerOf(env, owner, grand) : undefined;
    if (upper && kindOf(upper)?.scale) owner = upper;
    if (owner && kindOf(owner)?.scale && !out.has(owner.metadata.uid ?? "")) out.set(owner.metadata.uid ?? "", desiredReplicas(owner));
  }
  return out;
}

async function ownerOf(env: Env, child: KubeObject, ref: { apiVersion: string; kind: string; name: string; uid: string }): Promise<KubeObject | undefined> {
  const kind = kindOf(ref);
  if (!kind) return undefined;
  const owner = await findObject(env, { resource: resourceKey(kind), namespace: kind.namespaced ? (child.metadata.namespace ?? "") : "", name: ref.name });
  return owner?.metadata.uid === ref.uid ? owner : undefined;
}

/** Reconciles every budget of one namespace; requeues for the earliest admitted eviction that expires. */
export async function reconcileDisruption(env: Env, key: ReconcileKey): Promise<ReconcileResult> {
  const namespace = key.name;
  const pdbs = (await listAll(env, { resource: PDBS, namespace })).filter((p) => !isDeleting(p));
  if (pdbs.length === 0) return {};
  const pods = await listAll(env, { resource: PODS, namespace });
  const now = Date.now();
  let recheck: number | undefined;
  for (const pdb of pdbs) {
    const replicas = await controllerReplicas(env, pods.filter((p) => pdbSelects(pdb, p)));
    const { status, recheckMs } = calculatePdbStatus(pdb, pods, replicas, now);
    if (recheckMs !== undefined) recheck = Math.min(recheck ?? Infinity, recheckMs);
    if (statusEqual(pdb.status ?? {}, status)) continue;
    try {
      await patchGuarded(env, objectRefOf(pdb).resource, pdb, [{ op: "add", path: "/status", value: status as unknown as Json }], "status");
    } catch (err) {
      // A newer budget (an eviction's decrement, a spec change) enqueued its own run.
      if (!isStale(err)) throw err;
      recheck = 0;
    }
  }
  return recheck !== undefined ? { requeueAfterSeconds: Math.max(1, recheck / 1000) } : {};
}
