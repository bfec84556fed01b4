/**
 * @module
 * VirtualMachines as the children of a VirtualMachinePool (KubeVirt
 * pkg/virt-controller/watch/pool): named `<pool>-<index>` with the lowest
 * free indices, counted until they are gone (a deleting VM still holds its
 * name and its place, as KubeVirt's pool waits for the deletion before it
 * replaces it), ready by their Ready condition, never "finished" (a stopped
 * VM is still the pool's member). Scale-in picks deleting VMs first (KubeVirt
 * counts them), then not-ready ones, then the highest index.
 */
import { deepCopy, isJsonObject, type KubeObject, type ObjectMeta } from "../../../shared/k8s/object";
import type { ChildPolicy } from "./child-policy";
import { newControllerRef } from "./replicas";
import { hasCondition, isDeleting, specOf } from "../shared/object-fields";

function isVMReady(vm: KubeObject): boolean {
  return hasCondition(vm, "Ready", "True");
}

/** The index of `<pool>-<index>`, or -1. */
function indexOf(pool: string, name: string): number {
  const m = new RegExp(`^${pool.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)$`).exec(name);
  return m ? Number(m[1]) : -1;
}

/** `calculateNewVMNames`: `<pool>-<i>` for the `count` lowest indices no VM in the namespace uses. */
export function vmPoolChildNames(pool: KubeObject, children: readonly KubeObject[], count: number): string[] {
  const poolName = pool.metadata.name ?? "";
  const taken = new Set(children.map((vm) => vm.metadata.name ?? ""));
  const names: string[] = [];
  for (let i = 0; names.length < count; i++) {
    const name = `${poolName}-${i}`;
    if (!taken.has(name)) names.push(name);
  }
  return names;
}

/** The VM a pool creates: the template's metadata and spec, the controller reference (name set by the core). */
export function getVMFromPoolTemplate(pool: KubeObject): KubeObject {
  const template = specOf(pool).virtualMachineTemplate;
  const t = isJsonObject(template) ? template : {};
  const meta = (isJsonObject(t.metadata) ? deepCopy(t.metadata) : {}) as ObjectMeta;
  delete meta.name;
  delete meta.generateName;
  if (pool.metadata.namespace !== undefined) meta.namespace = pool.metadata.namespace;
  meta.ownerReferences = [newControllerRef(pool)];
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: meta, spec: deepCopy(isJsonObject(t.spec) ? t.spec : {}) };
}

/** Pool members: VirtualMachines. */
export const vmPolicy: ChildPolicy = {
  isActive: () => true,
  isReady: isVMReady,
  isAvailable: isVMReady,
  isFinished: () => false,
  rankForDeletion(candidates: readonly KubeObject[]): KubeObject[] {
    const key = (vm: KubeObject): [number, number, number] => {
      const owner = vm.metadata.ownerReferences?.find((r) => r.controller)?.name ?? "";
      return [isDeleting(vm) ? 0 : 1, isVMReady(vm) ? 1 : 0, -indexOf(owner, vm.metadata.name ?? "")];
    };
    return [...candidates].sort((a, b) => {
      const [da, ra, ia] = key(a);
      const [db, rb, ib] = key(b);
      return da - db || ra - rb || ia - ib;
    });
  },
};
