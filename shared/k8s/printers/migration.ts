/**
 * @module
 * `kubectl get vmim` columns: the additionalPrinterColumns on the
 * virtualmachineinstancemigrations.kubevirt.io CRD (KubeVirt crds.go,
 * NewVirtualMachineInstanceMigrationCrd): Phase and VMI, no Age.
 */
import type { Printer } from "../resource-kind";
import { crdPrinter } from "./crd-printer";

/** Server-side printing for VirtualMachineInstanceMigrations: Name, Phase, VMI. */
export const virtualMachineInstanceMigrationPrinter: Printer = crdPrinter([
  { name: "Phase", type: "string", jsonPath: ".status.phase", description: "The current phase of VM instance migration" },
  { name: "VMI", type: "string", jsonPath: ".spec.vmiName", description: "The name of the VMI to perform the migration on" },
]);
