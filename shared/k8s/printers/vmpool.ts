/**
 * @module
 * `kubectl get vmpool` columns: the additionalPrinterColumns on the
 * virtualmachinepools.pool.kubevirt.io CRD (KubeVirt crds.go, NewVirtualMachinePoolCrd).
 */
import type { Printer } from "../resource-kind";
import { crdPrinter } from "./crd-printer";

/** Server-side printing for VirtualMachinePools: Name, Desired, Current, Ready, Age. */
export const virtualMachinePoolPrinter: Printer = crdPrinter([
  { name: "Desired", type: "integer", jsonPath: ".spec.replicas", description: "Number of desired VirtualMachines" },
  { name: "Current", type: "integer", jsonPath: ".status.replicas", description: "Number of managed and not final or deleted VirtualMachines" },
  { name: "Ready", type: "integer", jsonPath: ".status.readyReplicas", description: "Number of managed VirtualMachines which are ready to receive traffic" },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
]);
