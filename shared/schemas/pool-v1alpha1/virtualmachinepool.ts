/**
 * @module
 * `pool.kubevirt.io/v1alpha1` VirtualMachinePool: replicas of
 * VirtualMachines from a template (KubeVirt pkg/apis/pool/v1alpha1,
 * validation from the pool admitter's ValidateVMPoolSpec). Defaulting: replicas 1
 * (KubeVirt reads nil as 1) and the VM template's VMI architecture/machine.
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import { labelSelectorFromObject } from "../../k8s/labels";
import type { KubeObject } from "../../k8s/object";
import { invalidValue, validateObjectMeta } from "../../k8s/validation";
import { asKind, conditionSchema, LabelSelectorSchema, ObjectMetaSchema, typeAndObjectMeta, type KindStrategy } from "../meta";
import { VirtualMachineSpecSchema } from "../kubevirt-v1/virtualmachine";
import { defaultArchitectureAndMachine } from "../kubevirt-v1/vmi-defaults";
import { kvCause, validateVMISpec } from "../kubevirt-v1/vmi-validation";

const POOL_V1ALPHA1 = "io.kubevirt.pool.v1alpha1";

/** `v1alpha1.VirtualMachinePool`. */
export const VirtualMachinePoolSchema = z
  .object({
    ...typeAndObjectMeta("VirtualMachinePool"),
    spec: z
      .object({
        replicas: z.number().int().optional().describe("Number of desired VirtualMachines. Defaults to 1."),
        selector: LabelSelectorSchema.describe("Label selector for VirtualMachines. Must match the template's labels."),
        virtualMachineTemplate: z
          .object({
            metadata: ObjectMetaSchema.optional().describe("Metadata of the VirtualMachines created."),
            spec: VirtualMachineSpecSchema.describe("Spec of the VirtualMachines created."),
          })
          .meta({ id: `${POOL_V1ALPHA1}.VirtualMachineTemplateSpec`, description: "Template of a pool's VirtualMachines." })
          .describe("Template of the VirtualMachines the pool creates."),
        paused: z.boolean().optional().describe("Stops the pool from creating or deleting VirtualMachines while true."),
      })
      .meta({ id: `${POOL_V1ALPHA1}.VirtualMachinePoolSpec`, description: "Desired state of a VirtualMachinePool." })
      .describe("Specification of the desired behavior of the pool."),
    status: z
      .object({
        replicas: z.number().int().optional().describe("Number of VirtualMachines the pool manages (not deleting)."),
        readyReplicas: z.number().int().optional().describe("Number of ready VirtualMachines."),
        labelSelector: z.string().optional().describe("Canonical label selector, for the scale subresource."),
        conditions: z
          .array(
            conditionSchema(`${POOL_V1ALPHA1}.VirtualMachinePoolCondition`, "A condition of a pool: ReplicaFailure or ReplicaPaused.", [
              "lastProbeTime",
              "lastTransitionTime",
            ] as const),
          )
          .optional()
          .describe("Conditions of the pool."),
      })
      .meta({ id: `${POOL_V1ALPHA1}.VirtualMachinePoolStatus`, description: "Observed state of a VirtualMachinePool." })
      .optional()
      .describe("Observed status of the pool. Written by the controller."),
  })
  .meta({
    id: `${POOL_V1ALPHA1}.VirtualMachinePool`,
    description: "VirtualMachinePool keeps a number of VirtualMachines from one template.",
    "x-kubernetes-group-version-kind": [{ group: "pool.kubevirt.io", version: "v1alpha1", kind: "VirtualMachinePool" }],
  });

/** A pool.kubevirt.io/v1alpha1 VirtualMachinePool. */
export type VirtualMachinePool = z.infer<typeof VirtualMachinePoolSchema>;

/**
 * `ValidateVMPoolSpec`: the VMI template of the VM template, and the selector
 * matching the VM template's labels. Also rejects negative replicas.
 */
export function validateVirtualMachinePool(pool: VirtualMachinePool): StatusCause[] {
  const causes = validateObjectMeta(pool.metadata as KubeObject["metadata"], { namespaced: true });
  const spec = pool.spec;
  if (spec.replicas !== undefined && spec.replicas < 0) {
    causes.push(invalidValue("spec.replicas", spec.replicas, "must be greater than or equal to 0"));
  }
  const vmSpec = spec.virtualMachineTemplate.spec;
  causes.push(...validateVMISpec(vmSpec.template.spec ?? { domain: { devices: {} } }, "spec.virtualMachineTemplate.spec.template.spec"));
  if (vmSpec.running === undefined && vmSpec.runStrategy === undefined) {
    causes.push(kvCause("FieldValueInvalid", "RunStrategy must be specified", "spec.virtualMachineTemplate.spec.running"));
  }
  try {
    if (!labelSelectorFromObject(spec.selector).matches(spec.virtualMachineTemplate.metadata?.labels)) {
      causes.push(kvCause("FieldValueInvalid", "selector does not match labels.", "spec.selector"));
    }
  } catch (e) {
    causes.push(kvCause("FieldValueInvalid", e instanceof Error ? e.message : String(e), "spec.selector"));
  }
  return causes;
}

/** The VirtualMachinePool strategy. */
export const virtualMachinePoolStrategy: KindStrategy<typeof VirtualMachinePoolSchema> = {
  schema: VirtualMachinePoolSchema,
  applyDefaults(obj: KubeObject): void {
    const spec = asKind<VirtualMachinePool>(obj).spec;
    spec.replicas ??= 1;
    const vmi = spec.virtualMachineTemplate.spec.template.spec;
    if (vmi) defaultArchitectureAndMachine(vmi);
  },
  validate(obj: KubeObject): StatusCause[] {
    return validateVirtualMachinePool(asKind<VirtualMachinePool>(obj));
  },
};
