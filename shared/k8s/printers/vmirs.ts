/**
 * @module
 * `kubectl get vmirs` columns: the additionalPrinterColumns on the
 * virtualmachineinstancereplicasets.kubevirt.io CRD (KubeVirt crds.go, NewReplicaSetCrd).
 */
import type { Printer } from "../resource-kind";
import { crdPrinter } from "./crd-printer";

/** Server-side printing for VirtualMachineInstanceReplicaSets: Name, Desired, Current, Ready, Age. */
export const virtualMachineInstanceReplicaSetPrinter: Printer = crdPrinter([
  { name: "Desired", type: "integer", jsonPath: ".spec.replicas", description: "Number of desired VirtualMachineInstances" },
  {
    name: "Current",
    type: "integer",
    jsonPath: ".status.replicas",
    description: "Number of managed and not final or deleted VirtualMachineInstances",
  },
  {
    name: "Ready",
    type: "integer",
    jsonPath: ".status.readyReplicas",
    description: "Number of managed VirtualMachineInstances which are ready to receive traffic",
  },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
]);
