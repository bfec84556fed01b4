/**
 * @module
 * The status an object starts with: users cannot set status on create
 * (invariant 4), but upstream's create strategies fill a few fields in.
 */
import type { KubeObject } from "../../shared/k8s/object";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { podQOSClass } from "./qos";

/** Status on create, or undefined for none. */
export function initialStatus(kind: ResourceKind, obj: KubeObject): unknown {
  switch (kind.kind) {
    case "Pod":
      // pkg/registry/core/pod/strategy.go PrepareForCreate
      return { phase: "Pending", qosClass: podQOSClass(obj) };
    case "Namespace":
      return { phase: "Active" };
    case "VirtualMachineInstance":
      // KubeVirt's mutating webhook puts new VMIs in Pending.
      return { phase: "Pending" };
    default:
      return undefined;
  }
}
