/**
 * @module
 * Which reconcile function serves which controller key.
 */
import { reconcileDeployment } from "../deployment/deployment-controller";
import { reconcileClusterRoleAggregation } from "../clusterroleaggregation/clusterrole-aggregation";
import { reconcileGarbage } from "../garbagecollector/garbage-collector";
import { reconcileDisruption } from "../disruption/disruption";
import type { ReconcileKey } from "./keys";
import { reconcileNodeLifecycle } from "../nodelifecycle/node-lifecycle";
import type { ReconcileResult } from "./reconciler";
import { reconcileReplicaSet, reconcileVMIRS, reconcileVirtualMachinePool } from "../replicaset/replicas-controllers";
import { reconcileClusterResourceQuota } from "../resourcequota/cluster-resource-quota";
import { reconcileLimitRange, reconcileResourceQuota } from "../resourcequota/resource-quota";
import { reconcileScheduler } from "../scheduler/scheduler";
import { reconcileServiceAccounts } from "../serviceaccounts/serviceaccounts-controller";
import { reconcileVirtualMachine } from "../virtualmachine/virtualmachine";
import { reconcileVMITermination } from "../vmitermination/vmi-termination";
import { reconcileMigrations } from "../migration/migration-controller";
import { reconcileEvacuation } from "../evacuation/evacuation-controller";

/**
 * Runs the controller a key names. `observingSince` is when the key's
 * Reconciler started (ms): what a controller process's start is upstream.
 */
export async function runController(env: Env, key: ReconcileKey, observingSince: number): Promise<ReconcileResult> {
  switch (key.controller) {
    case "replicaset":
      return reconcileReplicaSet(env, key);
    case "deployment":
      return reconcileDeployment(env, key);
    case "vmirs":
      return reconcileVMIRS(env, key);
    case "vmpool":
      return reconcileVirtualMachinePool(env, key);
    case "virtualmachine":
      return reconcileVirtualMachine(env, key);
    case "garbagecollector":
      return reconcileGarbage(env, key);
    case "scheduler":
      return reconcileScheduler(env);
    case "vmitermination":
      return reconcileVMITermination(env, key);
    case "nodelifecycle":
      return reconcileNodeLifecycle(env, key, { observingSince });
    case "clusterroleaggregation":
      return reconcileClusterRoleAggregation(env);
    case "serviceaccounts":
      return reconcileServiceAccounts(env, key);
    case "resourcequota":
      return reconcileResourceQuota(env, key);
    case "limitrange":
      return reconcileLimitRange(env, key);
    case "clusterresourcequota":
      return reconcileClusterResourceQuota(env, key);
    case "disruption":
      return reconcileDisruption(env, key);
    case "migration":
      return reconcileMigrations(env);
    case "evacuation":
      return reconcileEvacuation(env);
  }
}
