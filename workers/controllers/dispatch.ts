/**
 * @module
 * Which reconcile function serves which controller key.
 */
import { reconcileGarbage } from "./garbage-collector";
import type { ReconcileKey } from "./keys";
import type { ReconcileResult } from "./reconciler";
import { reconcileReplicaSet, reconcileVMIRS } from "./replicas-controllers";
import { reconcileVirtualMachine } from "./virtualmachine";

/** Runs the controller a key names. */
export async function runController(env: Env, key: ReconcileKey): Promise<ReconcileResult> {
  switch (key.controller) {
    case "replicaset":
      return reconcileReplicaSet(env, key);
    case "vmirs":
      return reconcileVMIRS(env, key);
    case "virtualmachine":
      return reconcileVirtualMachine(env, key);
    case "garbagecollector":
      return reconcileGarbage(env, key);
  }
}
