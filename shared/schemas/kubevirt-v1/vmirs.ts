/**
 * @module
 * `kubevirt.io/v1` VirtualMachineInstanceReplicaSet: schema (semantics.md §3),
 * defaulting (replicas 1, which KubeVirt leaves nil and reads as 1) and
 * validation (vmirs-admitter.go ValidateVMIRSSpec).
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import { labelSelectorFromObject } from "../../k8s/labels";
import type { KubeObject } from "../../k8s/object";
import { invalidValue, validateObjectMeta } from "../../k8s/validation";
import { asKind, conditionSchema, LabelSelectorSchema, typeAndObjectMeta, type KindStrategy } from "../meta";
import { KUBEVIRT_V1, VMITemplateSpecSchema } from "./vmi-spec";
import { kvCause, validateVMISpec } from "./vmi-validation";

/** `v1.VirtualMachineInstanceReplicaSet`. */
export const VirtualMachineInstanceReplicaSetSchema = z
  .object({
    ...typeAndObjectMeta("VirtualMachineInstanceReplicaSet"),
    spec: z
      .object({
        replicas: z.number().int().optional().describe("Number of desired VMIs. Defaults to 1."),
        selector: LabelSelectorSchema.describe("Label selector for VMIs. Must match the template's labels."),
        template: VMITemplateSpecSchema.describe("Template of the VMIs created when too few are found."),
        paused: z.boolean().optional().describe("Stops the controller from creating or deleting VMIs while true."),
      })
      .meta({ id: `${KUBEVIRT_V1}.VirtualMachineInstanceReplicaSetSpec`, description: "Desired state of a VMIRS." })
      .describe("Specification of the desired behavior of the VMIRS."),
    status: z
      .object({
        replicas: z.number().int().optional().describe("Number of active (non-final) VMIs targeted by the set."),
        readyReplicas: z.number().int().optional().describe("Number of ready VMIs."),
        labelSelector: z.string().optional().describe("Canonical label selector, for the scale subresource."),
        conditions: z
          .array(
            conditionSchema(
              `${KUBEVIRT_V1}.VirtualMachineInstanceReplicaSetCondition`,
              "A condition of a VMIRS: ReplicaFailure or ReplicaPaused.",
              ["lastProbeTime", "lastTransitionTime"] as const,
            ),
          )
          .optional()
          .describe("Conditions of the set."),
      })
      .meta({ id: `${KUBEVIRT_V1}.VirtualMachineInstanceReplicaSetStatus`, description: "Observed state of a VMIRS." })
      .optional()
      .describe("Observed status of the VMIRS. Written by the controller."),
  })
  .meta({
    id: `${KUBEVIRT_V1}.VirtualMachineInstanceReplicaSet`,
    description: "VirtualMachineInstanceReplicaSet ensures that a specified number of VMI replicas are running at any time.",
    "x-kubernetes-group-version-kind": [{ group: "kubevirt.io", version: "v1", kind: "VirtualMachineInstanceReplicaSet" }],
  });

/** A kubevirt.io/v1 VirtualMachineInstanceReplicaSet. */
export type VirtualMachineInstanceReplicaSet = z.infer<typeof VirtualMachineInstanceReplicaSetSchema>;

/**
 * `ValidateVMIRSSpec`. Also rejects negative replicas, which KubeVirt's
 * admitter lets through but its controller cannot honour.
 */
export function validateVMIRS(rs: VirtualMachineInstanceReplicaSet): StatusCause[] {
  const causes = validateObjectMeta(rs.metadata as KubeObject["metadata"], { namespaced: true });
  const spec = rs.spec;
  if (spec.replicas !== undefined && spec.replicas < 0) {
    causes.push(invalidValue("spec.replicas", spec.replicas, "must be greater than or equal to 0"));
  }
  causes.push(...validateVMISpec(spec.template.spec ?? { domain: { devices: {} } }, "spec.template.spec"));
  try {
    if (!labelSelectorFromObject(spec.selector).matches(spec.template.metadata?.labels)) {
      causes.push(kvCause("FieldValueInvalid", "selector does not match labels.", "spec.selector"));
    }
  } catch (e) {
    causes.push(kvCause("FieldValueInvalid", e instanceof Error ? e.message : String(e), "spec.selector"));
  }
  return causes;
}

/** The VirtualMachineInstanceReplicaSet strategy. */
export const virtualMachineInstanceReplicaSetStrategy: KindStrategy<typeof VirtualMachineInstanceReplicaSetSchema> = {
  schema: VirtualMachineInstanceReplicaSetSchema,
  applyDefaults(obj: KubeObject): void {
    const spec = asKind<VirtualMachineInstanceReplicaSet>(obj).spec;
    if (spec.replicas === undefined) spec.replicas = 1;
  },
  validate(obj: KubeObject): StatusCause[] {
    return validateVMIRS(asKind<VirtualMachineInstanceReplicaSet>(obj));
  },
};
