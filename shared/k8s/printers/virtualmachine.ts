/**
 * @module
 * `kubectl get vm` columns: the additionalPrinterColumns KubeVirt's
 * virt-operator puts on the virtualmachines.kubevirt.io CRD
 * (pkg/virt-operator/resource/generate/components/crds.go, NewVirtualMachineCrd).
 */
import type { Printer } from "../resource-kind";
import { crdPrinter } from "./crd-printer";

/** Server-side printing for VirtualMachines: Name, Age, Status (printableStatus), Ready. */
export const virtualMachinePrinter: Printer = crdPrinter([
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  { name: "Status", type: "string", jsonPath: ".status.printableStatus", description: "Human Readable Status" },
  { name: "Ready", type: "string", jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
]);
