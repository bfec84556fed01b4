/**
 * @module
 * `kubevirt.io/v1` VirtualMachine: schema (semantics.md §2), defaulting (the
 * VM mutator's architecture and machine type on the template; runStrategy is
 * derived by the controller, never defaulted) and validation (vms-admitter.go).
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import type { KubeObject } from "../../k8s/object";
import { validateObjectMeta } from "../../k8s/validation";
import { asKind, conditionSchema, freeForm, freeFormList, TimeSchema, typeAndObjectMeta, type KindStrategy } from "../meta";
import { defaultArchitectureAndMachine } from "./vmi-defaults";
import { KUBEVIRT_V1, VMITemplateSpecSchema } from "./vmi-spec";
import { kvCause, validateVMISpec } from "./vmi-validation";

/** Run strategies the admitter accepts (WaitAsReceiver needs a feature gate we do not have). */
export const RUN_STRATEGIES = ["Halted", "Manual", "Always", "RerunOnFailure", "Once"] as const;

const MatcherSchema = (what: string) =>
  z
    .object({
      name: z.string().optional().describe(`Name of the ${what}.`),
      kind: z.string().optional().describe(`Kind of the ${what} resource (namespaced or cluster-wide).`),
      revisionName: z.string().optional().describe("ControllerRevision holding the copy that was applied."),
      inferFromVolume: z.string().optional().describe(`Volume to infer the ${what} from.`),
      inferFromVolumeFailurePolicy: z.string().optional().describe("What to do when inference fails."),
    })
    .describe(`Reference to a ${what} that fills fields of the template.`);

/** `v1.VirtualMachineSpec`. */
export const VirtualMachineSpecSchema = z
  .object({
    running: z
      .boolean()
      .optional()
      .describe("Deprecated: true means runStrategy Always, false means Halted. Mutually exclusive with runStrategy."),
    runStrategy: z
      .string()
      .optional()
      .describe("When a VMI should run: Always, RerunOnFailure, Manual, Halted or Once. Mutually exclusive with running."),
    template: VMITemplateSpecSchema.describe("Template of the VMI this VM creates."),
    dataVolumeTemplates: freeFormList("DataVolumes created with the VM.").optional(),
    instancetype: MatcherSchema("instancetype").optional(),
    preference: MatcherSchema("preference").optional(),
    updateVolumesStrategy: z.string().optional().describe("How volume updates are applied: Replacement or Migration."),
  })
  .meta({ id: `${KUBEVIRT_V1}.VirtualMachineSpec`, description: "Desired state of a VirtualMachine." });

/** `v1.VirtualMachineStatus`. */
export const VirtualMachineStatusSchema = z
  .object({
    printableStatus: z.string().optional().describe("Human-readable, high-level state of the VM, e.g. Running or Stopped."),
    ready: z.boolean().optional().describe("Whether the VM is running and ready."),
    created: z.boolean().optional().describe("Whether a VMI exists for the VM."),
    runStrategy: z.string().optional().describe("The runStrategy last acted on."),
    conditions: z
      .array(
        conditionSchema(`${KUBEVIRT_V1}.VirtualMachineCondition`, "A condition of a VM: Ready, Failure, RestartRequired…", [
          "lastProbeTime",
          "lastTransitionTime",
        ] as const),
      )
      .optional()
      .describe("Conditions of the VM and its VMI."),
    stateChangeRequests: z
      .array(
        z.object({
          action: z.string().describe("Start or Stop."),
          data: z.record(z.string(), z.string()).optional().describe("Extra data for the action."),
          uid: z.string().optional().describe("UID of the VMI the request applies to."),
        }),
      )
      .optional()
      .describe("Queued start/stop requests."),
    startFailure: z
      .object({
        consecutiveFailCount: z.number().int().optional().describe("Consecutive failed starts."),
        lastFailedVMIUID: z.string().optional().describe("UID of the last VMI that failed to start."),
        retryAfterTimestamp: TimeSchema.optional().describe("When the next start may be attempted."),
      })
      .optional()
      .describe("Consecutive start failures, for crash-loop back-off."),
    observedGeneration: z.number().int().optional().describe("Generation of the VM last acted on."),
    desiredGeneration: z.number().int().optional().describe("Generation of the VM the VMI should match."),
    snapshotInProgress: z.string().optional(),
    restoreInProgress: z.string().optional(),
    volumeSnapshotStatuses: freeFormList("Snapshot support of each volume.").optional(),
    volumeRequests: freeFormList("Pending volume hotplug requests.").optional(),
    volumeUpdateState: freeForm("State of volume updates.").optional(),
    memoryDumpRequest: freeForm("Pending memory dump request.").optional(),
    instancetypeRef: freeForm("The instancetype that was applied.").optional(),
    preferenceRef: freeForm("The preference that was applied.").optional(),
    changedBlockTracking: freeForm("Changed block tracking state.").optional(),
  })
  .meta({ id: `${KUBEVIRT_V1}.VirtualMachineStatus`, description: "Observed state of a VirtualMachine." });

/** `kubevirt.io/v1` VirtualMachine. */
export const VirtualMachineSchema = z
  .object({
    ...typeAndObjectMeta("VirtualMachine"),
    spec: VirtualMachineSpecSchema.describe("Specification of the desired behavior of the VM: its run strategy and VMI template."),
    status: VirtualMachineStatusSchema.optional().describe("Observed status of the VM. Written by the VM controller."),
  })
  .meta({
    id: `${KUBEVIRT_V1}.VirtualMachine`,
    description: "VirtualMachine handles the lifecycle of a VirtualMachineInstance: it creates, starts and stops it per runStrategy.",
    "x-kubernetes-group-version-kind": [{ group: "kubevirt.io", version: "v1", kind: "VirtualMachine" }],
  });

/** A kubevirt.io/v1 VirtualMachine. */
export type VirtualMachine = z.infer<typeof VirtualMachineSchema>;

/** `validateRunStrategy` (vms-admitter.go). */
function validateRunStrategy(spec: VirtualMachine["spec"]): StatusCause[] {
  const causes: StatusCause[] = [];
  if (spec.running !== undefined && spec.runStrategy !== undefined) {
    const msg = "Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead";
    causes.push(kvCause("FieldValueInvalid", msg, "spec.running"));
  }
  if (spec.running === undefined && spec.runStrategy === undefined) {
    causes.push(kvCause("FieldValueInvalid", "RunStrategy must be specified", "spec.running"));
  }
  if (spec.runStrategy !== undefined && !(RUN_STRATEGIES as readonly string[]).includes(spec.runStrategy)) {
    causes.push(kvCause("FieldValueInvalid", `Invalid RunStrategy (${spec.runStrategy})`, "spec.runStrategy"));
  }
  return causes;
}

/** `ValidateVirtualMachineSpec` on create and update. */
export function validateVirtualMachine(vm: VirtualMachine): StatusCause[] {
  const causes = validateObjectMeta(vm.metadata as KubeObject["metadata"], { namespaced: true });
  // An absent template spec is Go's zero value upstream; the (required) template itself is checked by the schema.
  causes.push(...validateVMISpec(vm.spec.template.spec ?? { domain: { devices: {} } }, "spec.template.spec"));
  causes.push(...validateRunStrategy(vm.spec));
  return causes;
}

/** The VirtualMachine strategy. */
export const virtualMachineStrategy: KindStrategy<typeof VirtualMachineSchema> = {
  schema: VirtualMachineSchema,
  applyDefaults(obj: KubeObject): void {
    const spec = asKind<VirtualMachine>(obj).spec.template.spec;
    if (spec) defaultArchitectureAndMachine(spec);
  },
  validate(obj: KubeObject): StatusCause[] {
    return validateVirtualMachine(asKind<VirtualMachine>(obj));
  },
};
