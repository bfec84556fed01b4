/**
 * @module
 * `kubectl get vmi` columns: the additionalPrinterColumns on the
 * virtualmachineinstances.kubevirt.io CRD (KubeVirt crds.go, NewVirtualMachineInstanceCrd).
 */
import type { Printer } from "../resource-kind";
import { crdPrinter } from "./crd-printer";

/** Server-side printing for VirtualMachineInstances; Live-Migratable and Paused are `-o wide` only. */
export const virtualMachineInstancePrinter: Printer = crdPrinter([
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  { name: "Phase", type: "string", jsonPath: ".status.phase" },
  { name: "IP", type: "string", jsonPath: ".status.interfaces[0].ipAddress" },
  { name: "NodeName", type: "string", jsonPath: ".status.nodeName" },
  { name: "Ready", type: "string", jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
  {
    name: "Live-Migratable",
    type: "string",
    jsonPath: ".status.conditions[?(@.type=='LiveMigratable')].status",
    priority: 1,
  },
  { name: "Paused", type: "string", jsonPath: ".status.conditions[?(@.type=='Paused')].status", priority: 1 },
]);
