/**
 * @module
 * The rules that differ per kind, given to the registry as hooks on
 * `ResourceKind` (initial status, QoS, grace period, bound node, terminal
 * phase, binding) so storage and controllers ask the kind instead of switching on its
 * name. Only Pods, VMIs and Namespaces have any.
 */
import { isJsonObject, type KubeObject } from "../shared/k8s/object";
import type { ResourceKind } from "../shared/k8s/resource-kind";
import { bindPod, bindVMI } from "./objects/bind-op";
import { podQOSClass } from "./objects/qos";
import { isTerminal } from "./objects/terminal";

type Hooks = Pick<ResourceKind, "initialStatus" | "boundNode" | "isTerminal" | "gracePeriodSeconds" | "bind">;

function stringAt(value: unknown, field: string): string {
  if (!isJsonObject(value)) return "";
  const v = value[field];
  return typeof v === "string" ? v : "";
}

/** Pod grace: 0 when unscheduled or terminal (pkg/registry/core/pod/strategy.go CheckGracefulDelete). */
function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const spec = pod.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
  if (!spec?.nodeName || isTerminal(pod)) return 0;
  return requested ?? spec.terminationGracePeriodSeconds ?? 30;
}

/** v1 Pod: bound by `spec.nodeName`; starts Pending with its QoS class (pod strategy PrepareForCreate). */
export const POD_RULES: Hooks = {
  initialStatus: (obj) => ({ phase: "Pending", qosClass: podQOSClass(obj) }),
  boundNode: (obj) => stringAt(obj.spec, "nodeName"),
  isTerminal,
  gracePeriodSeconds: podGracePeriod,
  bind: bindPod,
};

/** kubevirt.io/v1 VirtualMachineInstance: bound by `status.nodeName`; starts Pending (KubeVirt's mutating webhook). */
export const VMI_RULES: Hooks = {
  initialStatus: () => ({ phase: "Pending" }),
  boundNode: (obj) => stringAt(obj.status, "nodeName"),
  isTerminal,
  bind: bindVMI,
};

/** v1 Namespace: starts Active. */
export const NAMESPACE_RULES: Hooks = {
  initialStatus: () => ({ phase: "Active" }),
};

/** kubevirt.io/v1 VirtualMachineInstanceMigration: starts Pending (KubeVirt's migration mutator), stamped once. */
export const MIGRATION_RULES: Hooks = {
  initialStatus: (obj) => ({
    phase: "Pending",
    phaseTransitionTimestamps: [{ phase: "Pending", phaseTransitionTimestamp: obj.metadata.creationTimestamp ?? "" }],
  }),
};
