/**
 * @module
 * The VirtualMachine controller's executor: reads the VM and the VMI named
 * after it, asks `syncVirtualMachine` (the pure run-strategy logic) what to
 * do, does it through the ordinary object path, and writes the status only
 * when it changed (KubeVirt's vm.go execute / updateStatus).
 */
import type { Json, KubeObject } from "../../../shared/k8s/object";
import { findObject, getObject, writeObject } from "../../objects/client";
import { createObject } from "../../objects/create";
import { kindByResource } from "../../registry";
import { recordEvent } from "../shared/events";
import type { ReconcileKey } from "../runtime/keys";
import type { ReconcileResult } from "../runtime/reconciler";
import { RESOURCES } from "../replicaset/replicas-sync";
import { newControllerRef } from "../replicaset/replicas";
import { statusEqual } from "../shared/status-equal";
import { statusAfterFailedAction, syncVirtualMachine } from "./vm-sync";
import { setupVMIFromVM, VM_CONTROLLER_FINALIZER } from "./vm-vmi-template";
import { isNotFound, isConflict } from "../../client/errors";
import { patchGuarded } from "../../client/patch-guarded";


/** KubeVirt's VM recorder source (virt-controller application.go). */
const COMPONENT = "virtualmachine-controller";

function withoutFinalizer(obj: KubeObject, finalizer: string): Json[] {
  return [{ op: "add", path: "/metadata/finalizers", value: (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer) }];
}

/** One reconcile of a kubevirt.io/v1 VirtualMachine. */
export async function reconcileVirtualMachine(env: Env, key: ReconcileKey): Promise<ReconcileResult> {
  const vm = await findObject(env, { resource: RESOURCES.vms, namespace: key.namespace, name: key.name });
  if (!vm) return {};
  const vmi = await findObject(env, { resource: RESOURCES.vmis, namespace: key.namespace, name: key.name });
  const input = { vm, vmi, now: new Date() };
  const result = syncVirtualMachine(input);
  if (result.vmFinalizer === "add") {
    await patchGuarded(env, RESOURCES.vms, vm, [
      { op: "add", path: "/metadata/finalizers", value: [...(vm.metadata.finalizers ?? []), VM_CONTROLLER_FINALIZER] },
    ]);
    return {}; // the patch is a change of the VM: its commit enqueues the next pass
  }
  if (result.adoptVMI && vmi) {
    await patchGuarded(env, RESOURCES.vmis, vmi, [
      { op: "add", path: "/metadata/ownerReferences", value: [...(vmi.metadata.ownerReferences ?? []), newControllerRef(vm)] as unknown as Json },
    ]);
  }
  if (result.specPatch) {
    await patchGuarded(env, RESOURCES.vms, vm, Object.entries(result.specPatch).map(([field, value]) => ({
      op: "add", path: `/spec/${field}`, value: value as Json,
    })));
    return {}; // the patch is a change of the VM: its commit enqueues the next pass
  }
  let status = result.status;
  // Which action failed, for KubeVirt's FailedCreate / FailedDelete wording (vm.go startVMI / stopVMI).
  let failing = { reason: "FailedCreate", message: "Error creating virtual machine instance: " };
  try {
    if (result.create) {
      const vmiKind = kindByResource(RESOURCES.vmis);
      if (!vmiKind) throw new Error("VirtualMachineInstance is not registered");
      await createObject(env, { kind: vmiKind, namespace: key.namespace, name: key.name }, setupVMIFromVM(vm) as unknown as Json);
      await recordEvent(env, vm, "Normal", "SuccessfulCreate", `Started the virtual machine by creating the new virtual machine instance ${key.name}`, COMPONENT);
    }
    if (result.delete && vmi) {
      failing = { reason: "FailedDelete", message: `Error deleting virtual machine instance ${key.name}: ` };
      await writeObject(env, { resource: RESOURCES.vmis, namespace: key.namespace, name: key.name }, {
        verb: "delete", options: { preconditions: { uid: vmi.metadata.uid ?? "" } },
      });
      await recordEvent(env, vm, "Normal", "SuccessfulDelete", `Stopped the virtual machine by deleting the virtual machine instance ${vmi.metadata.uid ?? ""}`, COMPONENT);
    }
  } catch (err) {
    if (!(isConflict(err) || isNotFound(err))) {
      await recordEvent(env, vm, "Warning", failing.reason, failing.message + (err instanceof Error ? err.message : String(err)), COMPONENT);
      status = statusAfterFailedAction(input, result, err instanceof Error ? err : String(err));
    }
  }
  if (status && !statusEqual(vm.status ?? {}, status)) {
    await writeObject(env, { resource: RESOURCES.vms, namespace: key.namespace, name: key.name }, {
      verb: "update", subresource: "status", input: { ...vm, status } as unknown as Json,
    });
  }
  if (result.removeVMIFinalizer && vmi) await patchGuarded(env, RESOURCES.vmis, vmi, withoutFinalizer(vmi, VM_CONTROLLER_FINALIZER));
  if (result.vmFinalizer === "remove") {
    const fresh = await findObject(env, { resource: RESOURCES.vms, namespace: key.namespace, name: key.name });
    if (fresh) await patchGuarded(env, RESOURCES.vms, fresh, withoutFinalizer(fresh, VM_CONTROLLER_FINALIZER));
  }
  return result.requeueAfterSeconds !== undefined ? { requeueAfterSeconds: result.requeueAfterSeconds } : {};
}
