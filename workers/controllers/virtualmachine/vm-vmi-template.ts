/**
 * @module
 * The VMI a VirtualMachine starts: KubeVirt `SetupVMIFromVM` and the parts
 * of `startVMI` that shape the object (`watch/vm/vm.go`).
 */
import { deepCopy, isJsonObject, type KubeObject, type ObjectMeta } from "../../../shared/k8s/object";
import { specOf } from "../shared/object-fields";
import { newControllerRef } from "../replicaset/replicas";
import { hasStartPausedRequest } from "./vm-requests";

/** `v1.VirtualMachineControllerFinalizer`: holds a VMI until the VM controller has copied its status. */
export const VM_CONTROLLER_FINALIZER = "kubevirt.io/virtualMachineControllerFinalize";
/** `v1.VirtualMachineGenerationAnnotation`: the VM generation a VMI was started from. */
export const VM_GENERATION_ANNOTATION = "kubevirt.io/vm-generation";

/**
 * `SetupVMIFromVM` plus `startVMI`'s additions: the template's metadata and
 * spec; name and namespace of the VM; the template's labels; the VM as
 * controller (blockOwnerDeletion); the `kubevirt.io/vm-generation`
 * annotation; the VM controller finalizer; `startStrategy: Paused` for a
 * paused start request. (The stable firmware UUID, instancetypes and
 * network defaults are not applied here.)
 */
export function setupVMIFromVM(vm: KubeObject): KubeObject {
  const template = specOf(vm).template;
  const t = isJsonObject(template) ? template : {};
  const meta = (isJsonObject(t.metadata) ? deepCopy(t.metadata) : {}) as ObjectMeta;
  const spec = isJsonObject(t.spec) ? deepCopy(t.spec) : {};

  meta.name = vm.metadata.name ?? "";
  delete meta.generateName;
  if (vm.metadata.namespace !== undefined) meta.namespace = vm.metadata.namespace;
  if (hasStartPausedRequest(vm)) spec.startStrategy = "Paused";
  meta.ownerReferences = [newControllerRef(vm)];
  meta.annotations = { ...meta.annotations, [VM_GENERATION_ANNOTATION]: String(vm.metadata.generation ?? 0) };
  meta.finalizers = [...(meta.finalizers ?? []), VM_CONTROLLER_FINALIZER];
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: meta, spec };
}
