/**
 * @module
 * The `vm-guest` policy (KubeVirt's application-aware quota): virtual
 * machines are charged for what their guest declares — cpu = sockets × cores
 * × threads, memory = `domain.memory.guest` or the memory request — as
 * `requests.*`, `limits.*` and the bare names, not for the launcher's
 * overhead. A VirtualMachine is charged while its runStrategy would run it
 * (Always, RerunOnFailure, Once; Manual once started); the VMI it owns is
 * then counted but not charged again. A VMI of its own is charged until it
 * is final. Pods and every other kind are charged as by `standard`.
 */
import { isJsonObject, type JsonObject, type KubeObject } from "../../../shared/k8s/object";
import type { Amounts } from "../../../shared/k8s/quota-amount";
import { isTerminal } from "../../objects/terminal";
import { countNames } from "../object-count";
import { matchesScopes } from "../pod-scopes";
import type { ChargedObject, QuotaDefinition, QuotaPolicy } from "../policy";
import { guestResources, vmiScopeFacts } from "../vmi-resources";
import { limitsPods, standardPolicy } from "./standard";

/** Registry keys of the KubeVirt kinds this policy charges for their guests. */
export const VMIS = "kubevirt.io/virtualmachineinstances";
export const VMS = "kubevirt.io/virtualmachines";

function specAt(obj: KubeObject, ...path: string[]): JsonObject {
  let cur: unknown = obj.spec;
  for (const p of path) cur = isJsonObject(cur) ? cur[p] : undefined;
  return isJsonObject(cur) ? cur : {};
}

/** Whether the VM's runStrategy would run it now. */
export function vmWouldRun(vm: KubeObject): boolean {
  const spec = specAt(vm);
  const strategy = typeof spec.runStrategy === "string" ? spec.runStrategy : spec.running === true ? "Always" : "Halted";
  if (strategy === "Manual") return isJsonObject(vm.status) && vm.status.created === true;
  return strategy === "Always" || strategy === "RerunOnFailure" || strategy === "Once";
}

function ownedByVM(vmi: KubeObject): boolean {
  return (vmi.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.kind === "VirtualMachine");
}

/** The guest charged as requests, limits and the bare names. */
function guestUsage(spec: JsonObject): Amounts {
  const guest = guestResources(spec);
  const out: Amounts = {};
  for (const [r, v] of Object.entries(guest)) {
    out[r] = v;
    out[`requests.${r}`] = v;
    out[`limits.${r}`] = v;
  }
  return out;
}

function isVirtual(resource: string): boolean {
  return resource === VMIS || resource === VMS;
}

/** The `vm-guest` policy. */
export const vmGuestPolicy: QuotaPolicy = {
  chargedResources(quota) {
    const standard = standardPolicy.chargedResources(quota);
    return limitsPods(quota) ? [...new Set([...standard, VMIS, VMS])] : standard;
  },
  matches(quota, item) {
    if (!isVirtual(item.resource)) return standardPolicy.matches(quota, item);
    const counted = quota.scopes.length === 0 && countNames(item.resource).some((n) => quota.hard[n] !== undefined);
    const spec = item.resource === VMS ? specAt(item.object, "template", "spec") : specAt(item.object);
    return counted || (limitsPods(quota) && matchesScopes(quota.scopes, vmiScopeFacts(spec)));
  },
  usage(quota, item: ChargedObject) {
    if (!isVirtual(item.resource)) return standardPolicy.usage(quota, item);
    const count: Amounts = Object.fromEntries(countNames(item.resource).map((n) => [n, { milli: 1000, binary: false }]));
    if (item.resource === VMS) {
      return vmWouldRun(item.object) ? { ...guestUsage(specAt(item.object, "template", "spec")), ...count } : count;
    }
    if (ownedByVM(item.object) || isTerminal(item.object)) return count;
    return { ...guestUsage(specAt(item.object)), ...count };
  },
  constraints(quota, item) {
    return isVirtual(item.resource) ? undefined : standardPolicy.constraints(quota, item);
  },
};
