/**
 * @module
 * The ClusterRole aggregation controller: lists ClusterRoles (through the
 * list cache), computes the aggregated rules (aggregate-rules.ts) and writes
 * each aggregated ClusterRole whose rules differ, guarded by the
 * resourceVersion it read. A write that lost a race runs the key again.
 */
import type { Json } from "../../../shared/k8s/object";
import { isConflict, isNotFound } from "../../client/errors";
import { cachedListAll } from "../../client/list-cache";
import { writeObject } from "../../objects/client";
import { objectRefOf, resourceKey } from "../../registry";
import type { ReconcileResult } from "../runtime/reconciler";
import { aggregateClusterRoles } from "./aggregate-rules";

const CLUSTER_ROLES = resourceKey({ group: "rbac.authorization.k8s.io", plural: "clusterroles" });

/** One aggregation pass over every ClusterRole. */
export async function reconcileClusterRoleAggregation(env: Env): Promise<ReconcileResult> {
  const roles = await cachedListAll(env, { resource: CLUSTER_ROLES });
  const writes = aggregateClusterRoles(roles);
  let raced = false;
  for (const role of roles) {
    const rules = writes.get(role.metadata.name ?? "");
    if (!rules) continue;
    try {
      await writeObject(env, objectRefOf(role), { verb: "update", subresource: "", input: { ...role, rules } as unknown as Json });
    } catch (err) {
      // Changed or deleted since the list: the change enqueued this key again; be sure it runs.
      if (isConflict(err) || isNotFound(err)) raced = true;
      else throw err;
    }
  }
  return raced ? { requeueAfterSeconds: 1 } : {};
}
