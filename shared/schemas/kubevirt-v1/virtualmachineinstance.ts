/**
 * @module
 * `kubevirt.io/v1` VirtualMachineInstance: schema (spec from vmi-spec.ts,
 * status as semantics.md §1 lists it), defaulting (the VMI mutating webhook)
 * and validation (vmi-create-admitter.go, vmi-update-admitter.go).
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import { jsonEqual } from "../../k8s/json-value";
import type { Json, KubeObject } from "../../k8s/object";
import { validateObjectMeta } from "../../k8s/validation";
import {
  asKind,
  conditionSchema,
  freeForm,
  freeFormList,
  QuantitySchema,
  typeAndObjectMeta,
  type KindStrategy,
} from "../meta";
import { defaultVMISpec } from "./vmi-defaults";
import { phaseTransitionTimestampsSchema } from "./phase-transitions";
import { KUBEVIRT_V1, VMISpecSchema } from "./vmi-spec";
import { kvCause, validateArchitecture, validateVMIMandatoryFields, validateVMISpec } from "./vmi-validation";

/** `v1.VirtualMachineInstanceNetworkInterface`. */
const VMIInterfaceStatusSchema = z
  .object({
    name: z.string().optional().describe("Name of the interface, as in the spec."),
    interfaceName: z.string().optional().describe("Name of the interface inside the guest."),
    ipAddress: z.string().optional().describe("Primary IP address of the interface."),
    ipAddresses: z.array(z.string()).optional().describe("All IP addresses of the interface."),
    mac: z.string().optional().describe("MAC address of the interface."),
    infoSource: z.string().optional().describe("Where the information comes from: domain, guest-agent, multus-status."),
    linkState: z.string().optional().describe("Link state of the interface: up or down."),
    podInterfaceName: z.string().optional().describe("Name of the pod network interface."),
    queueCount: z.number().int().optional().describe("Number of queues of the interface."),
  })
  .meta({ id: `${KUBEVIRT_V1}.VirtualMachineInstanceNetworkInterface`, description: "A network interface as the VMI reports it." });

const CPUTopologySchema = z.object({
  sockets: z.number().int().optional().describe("Number of sockets."),
  cores: z.number().int().optional().describe("Cores per socket."),
  threads: z.number().int().optional().describe("Threads per core."),
});

/** `v1.VirtualMachineInstanceStatus`. */
export const VMIStatusSchema = z
  .object({
    phase: z.string().optional().describe("Phase: Pending, Scheduling, Scheduled, Running, Succeeded, Failed or Unknown."),
    reason: z.string().optional().describe("Brief CamelCase reason for the VMI's state, e.g. NodeUnresponsive."),
    nodeName: z.string().optional().describe("Node the VMI is running on."),
    conditions: z
      .array(
        conditionSchema(`${KUBEVIRT_V1}.VirtualMachineInstanceCondition`, "A condition of a VMI: Ready, Paused, AgentConnected…", [
          "lastProbeTime",
          "lastTransitionTime",
        ] as const),
      )
      .optional()
      .describe("Conditions of the VMI."),
    phaseTransitionTimestamps: phaseTransitionTimestampsSchema("One entry per distinct phase, with the time it was entered."),
    interfaces: z.array(VMIInterfaceStatusSchema).optional().describe("Network interfaces of the running VMI."),
    guestOSInfo: z
      .object({
        id: z.string().optional(),
        name: z.string().optional(),
        prettyName: z.string().optional(),
        version: z.string().optional(),
        versionId: z.string().optional(),
        kernelRelease: z.string().optional(),
        kernelVersion: z.string().optional(),
        machine: z.string().optional(),
      })
      .optional()
      .describe("Guest OS details reported by the guest agent."),
    qosClass: z.string().optional().describe("QoS class of the launcher pod."),
    launcherContainerImageVersion: z.string().optional().describe("Image of the virt-launcher container."),
    migrationState: freeForm("State of the latest migration.").optional(),
    migrationMethod: z.string().optional().describe("Method of the latest migration."),
    migrationTransport: z.string().optional().describe("Transport of the latest migration."),
    evacuationNodeName: z.string().optional().describe("Node being evacuated, for the External eviction strategy."),
    activePods: z.record(z.string(), z.string()).optional().describe("Pod UIDs mapped to the nodes they run on."),
    volumeStatus: freeFormList("Status of the VMI's volumes.").optional(),
    migratedVolumes: freeFormList("Volumes migrated by a storage migration.").optional(),
    currentCPUTopology: CPUTopologySchema.optional().describe("CPU topology the guest currently has."),
    memory: z
      .object({
        guestAtBoot: QuantitySchema.optional(),
        guestCurrent: QuantitySchema.optional(),
        guestRequested: QuantitySchema.optional(),
        memoryOverhead: QuantitySchema.optional(),
      })
      .optional()
      .describe("Guest memory as the VMI reports it."),
    machine: z.object({ type: z.string().optional() }).optional().describe("Machine type the VMI runs with."),
    kernelBootStatus: freeForm("Kernel boot status.").optional(),
    fsFreezeStatus: z.string().optional().describe("Guest filesystem freeze state."),
    topologyHints: freeForm("Topology hints (TSC frequency).").optional(),
    virtualMachineRevisionName: z.string().optional().describe("Revision of the VM the VMI was created from."),
    runtimeUser: z.number().int().optional().describe("User the launcher runs as."),
    selinuxContext: z.string().optional().describe("SELinux context of the launcher."),
    VSOCKCID: z.number().int().optional().describe("VSOCK context ID allocated to the VMI."),
    changedBlockTracking: freeForm("Changed block tracking state.").optional(),
  })
  .meta({ id: `${KUBEVIRT_V1}.VirtualMachineInstanceStatus`, description: "Observed status of a VMI." });

/** `kubevirt.io/v1` VirtualMachineInstance. */
export const VirtualMachineInstanceSchema = z
  .object({
    ...typeAndObjectMeta("VirtualMachineInstance"),
    spec: VMISpecSchema.describe("Specification of the desired behavior of the VMI on the host."),
    status: VMIStatusSchema.optional().describe("Observed status of the VMI. Written by KubeVirt's controllers and the host agent."),
  })
  .meta({
    id: `${KUBEVIRT_V1}.VirtualMachineInstance`,
    description: "VirtualMachineInstance is *the* running virtual machine: a VM in the runtime environment of the cluster.",
    "x-kubernetes-group-version-kind": [{ group: "kubevirt.io", version: "v1", kind: "VirtualMachineInstance" }],
  });

/** A kubevirt.io/v1 VirtualMachineInstance. */
export type VirtualMachineInstance = z.infer<typeof VirtualMachineInstanceSchema>;

/**
 * vmi-update-admitter: the spec is immutable to users. Deliberate difference:
 * `terminationGracePeriodSeconds` may change, because the VM stop verb
 * patches it through the ordinary write path here (KubeVirt does it as its
 * own service account, which the admitter lets through).
 */
export function validateVMIUpdate(vmi: VirtualMachineInstance, old: VirtualMachineInstance): StatusCause[] {
  const next = { ...vmi.spec, terminationGracePeriodSeconds: old.spec.terminationGracePeriodSeconds };
  const prev = { ...old.spec };
  const strip = (v: object): Json => JSON.parse(JSON.stringify(v)) as Json;
  if (jsonEqual(strip(next), strip(prev))) return [];
  return [kvCause("FieldValueNotSupported", "update of VMI object is restricted")];
}

/** VMI admission: metadata, then the create checks, or the update restriction when `old` is set. */
export function validateVirtualMachineInstance(vmi: VirtualMachineInstance, old?: VirtualMachineInstance): StatusCause[] {
  const causes = validateObjectMeta(vmi.metadata as KubeObject["metadata"], { namespaced: true });
  if (old) return [...causes, ...validateVMIUpdate(vmi, old)];
  causes.push(...validateVMISpec(vmi.spec, "spec"));
  causes.push(...validateVMIMandatoryFields(vmi.spec, "spec"));
  causes.push(...validateArchitecture(vmi.spec, "spec"));
  return causes;
}

/** The VirtualMachineInstance strategy. */
export const virtualMachineInstanceStrategy: KindStrategy<typeof VirtualMachineInstanceSchema> = {
  schema: VirtualMachineInstanceSchema,
  applyDefaults(obj: KubeObject): void {
    defaultVMISpec(asKind<VirtualMachineInstance>(obj).spec);
  },
  validate(obj: KubeObject, old?: KubeObject): StatusCause[] {
    return validateVirtualMachineInstance(asKind<VirtualMachineInstance>(obj), old ? asKind<VirtualMachineInstance>(old) : undefined);
  },
};
