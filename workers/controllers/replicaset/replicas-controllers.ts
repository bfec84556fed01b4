/**
 * @module
 * ReplicaSet and VMIRS: the two configurations of the shared replicas core.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { getPodFromTemplate, getVMIFromTemplate } from "./child-templates";
import type { ReconcileKey } from "../runtime/keys";
import type { ReconcileResult } from "../runtime/reconciler";
import { calculateReplicaSetStatus, requeueAfterForMinReady, type ReplicaSetStatus } from "./replica-set-status";
import { REPLICASET_BURST_REPLICAS, VMIRS_BURST_REPLICAS } from "./replicas";
import { RESOURCES, type ReplicasController, syncReplicas } from "./replicas-sync";
import { podPolicy } from "./pod-policy";
import { vmiPolicy } from "./vmi-policy";
import { getVMFromPoolTemplate, vmPolicy, vmPoolChildNames } from "./vm-pool-policy";
import { calculateVMIRSStatus } from "./vmirs-status";
import { specOf } from "../shared/object-fields";

export const replicaSetController: ReplicasController = {
  owner: RESOURCES.replicasets,
  child: RESOURCES.pods,
  policy: podPolicy,
  burstReplicas: REPLICASET_BURST_REPLICAS,
  slowStart: true,
  template: getPodFromTemplate,
  paused: () => false,
  calculateStatus: (owner, active, owned, now, err) => calculateReplicaSetStatus(owner, active, owned, now, err),
  requeueAfter: (owner, status, active, now) => requeueAfterForMinReady(owner, status as ReplicaSetStatus, active, now),
};

const vmirsController: ReplicasController = {
  owner: RESOURCES.vmirs,
  child: RESOURCES.vmis,
  policy: vmiPolicy,
  burstReplicas: VMIRS_BURST_REPLICAS,
  slowStart: false,
  template: getVMIFromTemplate,
  paused: (owner: KubeObject) => specOf(owner).paused === true,
  calculateStatus: (owner, active, _owned, now, err) => calculateVMIRSStatus(owner, active, now, err),
};

/**
 * KubeVirt's VirtualMachinePool on the same core: VMs instead of VMIs, named
 * by index, the VMIRS status (replicas, readyReplicas, labelSelector,
 * ReplicaFailure, ReplicaPaused — the pool's conditions have the same names).
 */
const vmPoolController: ReplicasController = {
  owner: RESOURCES.vmpools,
  child: RESOURCES.vms,
  policy: vmPolicy,
  burstReplicas: VMIRS_BURST_REPLICAS,
  slowStart: false,
  template: getVMFromPoolTemplate,
  childNames: vmPoolChildNames,
  paused: (owner: KubeObject) => specOf(owner).paused === true,
  calculateStatus: (owner, active, _owned, now, err) => calculateVMIRSStatus(owner, active, now, err),
};

/** apps/v1 ReplicaSet (pkg/controller/replicaset syncReplicaSet). */
export function reconcileReplicaSet(env: Env, key: ReconcileKey): Promise<ReconcileResult> {
  return syncReplicas(env, replicaSetController, key);
}

/** kubevirt.io/v1 VirtualMachineInstanceReplicaSet (virt-controller replicaset execute). */
export function reconcileVMIRS(env: Env, key: ReconcileKey): Promise<ReconcileResult> {
  return syncReplicas(env, vmirsController, key);
}

/** pool.kubevirt.io/v1alpha1 VirtualMachinePool (virt-controller pool execute). */
export function reconcileVirtualMachinePool(env: Env, key: ReconcileKey): Promise<ReconcileResult> {
  return syncReplicas(env, vmPoolController, key);
}
