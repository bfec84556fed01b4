/**
 * @module
 * `kubevirt.io/v1` VirtualMachineInstanceSpec, shared by VMIs and the
 * templates of VMs and VMIRSs (`staging/src/kubevirt.io/api/core/v1/schema.go`,
 * `types.go`). Resources, CPU and memory are modelled because the server
 * defaults and validates them; devices' members, firmware, features, clock,
 * affinity and volume/network sources are free-form.
 */
import { z } from "zod";
import { TolerationSchema } from "../core-v1/pod-spec";
import { freeForm, freeFormList, ObjectMetaSchema, QuantitySchema, ResourceListSchema } from "../meta";

/** Component-name prefix KubeVirt's OpenAPI uses. */
export const KUBEVIRT_V1 = "io.kubevirt.v1";

const NamedFreeForm = (id: string, description: string) =>
  z
    .object({ name: z.string().describe("Name, unique within its list.") })
    .catchall(z.unknown())
    .meta({ id: `${KUBEVIRT_V1}.${id}`, description });

/** `v1.Disk` (name plus disk/cdrom/lun target and tuning; the rest kept as written). */
export const DiskSchema = NamedFreeForm("Disk", "A disk of the VMI: `name` refers to a volume; one of disk, cdrom or lun.");
/** `v1.Interface`. */
export const InterfaceSchema = NamedFreeForm(
  "Interface",
  "A network interface: `name` refers to a network; a binding such as masquerade or bridge.",
);

/** `v1.Devices`. */
export const DevicesSchema = z
  .object({
    disks: z.array(DiskSchema).optional().describe("Disks, cdroms and luns connected to the VMI."),
    interfaces: z.array(InterfaceSchema).optional().describe("Network interfaces connected to the VMI."),
    filesystems: freeFormList("Filesystems (virtiofs) connected to the VMI.").optional(),
    inputs: freeFormList("Input devices (tablet).").optional(),
    gpus: freeFormList("GPUs passed through to the VMI.").optional(),
    hostDevices: freeFormList("Host devices passed through to the VMI.").optional(),
    panicDevices: freeFormList("Panic devices.").optional(),
    autoattachPodInterface: z.boolean().optional().describe("Whether the default pod network interface is attached. Defaults to true."),
    autoattachGraphicsDevice: z.boolean().optional().describe("Whether the default graphics device is attached. Defaults to true."),
    autoattachSerialConsole: z.boolean().optional().describe("Whether a serial console is attached. Defaults to true."),
    autoattachMemBalloon: z.boolean().optional().describe("Whether the memory balloon device is attached. Defaults to true."),
    autoattachInputDevice: z.boolean().optional().describe("Whether a default input device is attached."),
    autoattachVSOCK: z.boolean().optional().describe("Whether a VSOCK device is attached."),
    logSerialConsole: z.boolean().optional().describe("Whether the serial console log is collected."),
    blockMultiQueue: z.boolean().optional().describe("Whether virtio-blk multi-queue is enabled."),
    networkInterfaceMultiqueue: z.boolean().optional().describe("Whether virtio-net multi-queue is enabled."),
    useVirtioTransitional: z.boolean().optional().describe("Use virtio transitional devices for old guests."),
    disableHotplug: z.boolean().optional().describe("Disable device hotplug."),
    rng: freeForm("Random number generator device.").optional(),
    watchdog: freeForm("Watchdog device.").optional(),
    sound: freeForm("Sound device.").optional(),
    tpm: freeForm("TPM device.").optional(),
    video: freeForm("Video device.").optional(),
    clientPassthrough: freeForm("USB client passthrough.").optional(),
    downwardMetrics: freeForm("Downward metrics virtio-serial device.").optional(),
  })
  .meta({ id: `${KUBEVIRT_V1}.Devices`, description: "Devices attached to the VMI." });

/** `v1.CPU`. */
export const CPUSchema = z
  .object({
    sockets: z.number().int().optional().describe("Number of sockets. Defaults to the CPU limit (else request) when no topology is set."),
    cores: z.number().int().optional().describe("Cores per socket. Defaults to 1."),
    threads: z.number().int().optional().describe("Threads per core. Defaults to 1."),
    maxSockets: z.number().int().optional().describe("Maximum sockets that can be hotplugged."),
    model: z.string().optional().describe('CPU model, e.g. "host-passthrough" or "host-model".'),
    features: freeFormList("CPU features to enable or disable.").optional(),
    dedicatedCpuPlacement: z.boolean().optional().describe("Pin vCPUs to dedicated host CPUs."),
    isolateEmulatorThread: z.boolean().optional().describe("Give the emulator thread its own dedicated pCPU."),
    numa: freeForm("NUMA topology passthrough.").optional(),
    realtime: freeForm("Realtime tuning.").optional(),
  })
  .meta({ id: `${KUBEVIRT_V1}.CPU`, description: "CPU topology and model of the VMI." });

/** `v1.Memory`. */
export const MemorySchema = z
  .object({
    guest: QuantitySchema.optional().describe("Memory visible to the guest. Defaults to requests.memory, else limits.memory."),
    maxGuest: QuantitySchema.optional().describe("Maximum guest memory for hotplug."),
    hugepages: z
      .object({ pageSize: z.string().optional().describe("Hugepage size, e.g. 2Mi or 1Gi.") })
      .optional()
      .describe("Back guest memory with hugepages."),
    reservedOverhead: freeForm("Extra memory overhead reserved for the VMI.").optional(),
  })
  .meta({ id: `${KUBEVIRT_V1}.Memory`, description: "Memory features of the VMI." });

/** `v1.ResourceRequirements` (KubeVirt's own, without claims). */
export const VMIResourcesSchema = z
  .object({
    requests: ResourceListSchema.optional().describe("Minimum compute resources; memory here sizes the guest."),
    limits: ResourceListSchema.optional().describe("Maximum compute resources."),
    overcommitGuestOverhead: z.boolean().optional().describe("Do not reserve the virtualization overhead in requests."),
  })
  .meta({ id: `${KUBEVIRT_V1}.ResourceRequirements`, description: "Compute resources of the VMI's launcher pod." });

/** `v1.DomainSpec`. */
export const DomainSpecSchema = z
  .object({
    resources: VMIResourcesSchema.optional().describe("Resources requested for the VMI."),
    cpu: CPUSchema.optional().describe("CPU topology and model."),
    memory: MemorySchema.optional().describe("Guest memory."),
    machine: z
      .object({ type: z.string().optional().describe('QEMU machine type, e.g. "q35".') })
      .optional()
      .describe("Machine type. Defaults to q35."),
    firmware: freeForm("Firmware: uuid, serial, bootloader (bios or efi), kernelBoot, acpi.").optional(),
    clock: freeForm("Clock and timers of the guest.").optional(),
    features: freeForm("Hypervisor features: acpi, apic, hyperv, smm, kvm…").optional(),
    devices: DevicesSchema.describe("Devices attached to the VMI."),
    ioThreadsPolicy: z.string().optional().describe("IO threads policy: shared, auto or supplementalPool."),
    ioThreads: freeForm("IO threads settings.").optional(),
    chassis: freeForm("Chassis information passed to the domain.").optional(),
    launchSecurity: freeForm("Launch security (SEV).").optional(),
    rebootPolicy: z.enum(["Reboot", "Terminate"]).optional().describe("What a guest reboot does: Reboot (default) or Terminate."),
  })
  .meta({ id: `${KUBEVIRT_V1}.DomainSpec`, description: "The virtual hardware of the VMI." });

/** Every `v1.VolumeSource` member; exactly one is set per volume. */
export const VMI_VOLUME_SOURCES = [
  "cloudInitConfigDrive",
  "cloudInitNoCloud",
  "configMap",
  "containerDisk",
  "containerPath",
  "dataVolume",
  "downwardAPI",
  "downwardMetrics",
  "emptyDisk",
  "ephemeral",
  "hostDisk",
  "memoryDump",
  "persistentVolumeClaim",
  "secret",
  "serviceAccount",
  "sysprep",
] as const;

/** `v1.Volume`. */
export const VMIVolumeSchema = z
  .object({
    name: z.string().describe("Volume name, referenced by a disk or filesystem. A DNS_LABEL unique within the VMI."),
    ...(Object.fromEntries(VMI_VOLUME_SOURCES.map((k) => [k, freeForm(`The ${k} volume source.`).optional()])) as Record<
      (typeof VMI_VOLUME_SOURCES)[number],
      z.ZodOptional<ReturnType<typeof freeForm>>
    >),
  })
  .meta({ id: `${KUBEVIRT_V1}.Volume`, description: "A named volume of the VMI with exactly one source." });

/** `v1.Network`. */
export const NetworkSchema = z
  .object({
    name: z.string().describe("Network name, referenced by an interface."),
    pod: freeForm("The default pod network.").optional(),
    multus: freeForm("A Multus network.").optional(),
    resourceClaim: freeForm("A network from a resource claim.").optional(),
  })
  .meta({ id: `${KUBEVIRT_V1}.Network`, description: "A network the VMI's interfaces connect to." });

/** `v1.VirtualMachineInstanceSpec`. */
export const VMISpecSchema = z
  .object({
    domain: DomainSpecSchema.describe("Specification of the desired behavior of the VMI on the host."),
    volumes: z.array(VMIVolumeSchema).optional().describe("Volumes that can be mounted by disks of the VMI."),
    networks: z.array(NetworkSchema).optional().describe("Networks the VMI's interfaces connect to."),
    nodeSelector: z.record(z.string(), z.string()).optional().describe("Labels a node must have for the VMI to be scheduled on it."),
    affinity: freeForm("Scheduling constraints (node and pod affinity).").optional(),
    tolerations: z.array(TolerationSchema).optional().describe("The VMI's tolerations."),
    topologySpreadConstraints: freeFormList("How VMIs spread across topology domains.").optional(),
    schedulerName: z.string().optional().describe("The scheduler that dispatches the VMI."),
    priorityClassName: z.string().optional().describe("Priority class of the VMI's launcher pod."),
    terminationGracePeriodSeconds: z
      .number()
      .int()
      .optional()
      .describe("Seconds the guest gets to shut down after an ACPI signal. Unset means 30."),
    evictionStrategy: z.string().optional().describe("What a node drain does: None, LiveMigrate, LiveMigrateIfPossible or External."),
    startStrategy: z.string().optional().describe("Paused starts the VMI paused."),
    hostname: z.string().optional().describe("Hostname of the guest; defaults to the VMI name."),
    subdomain: z.string().optional().describe("Subdomain: the FQDN becomes <hostname>.<subdomain>.<namespace>.svc."),
    livenessProbe: freeForm("Periodic probe of VMI liveness.").optional(),
    readinessProbe: freeForm("Periodic probe of VMI readiness.").optional(),
    accessCredentials: freeFormList("SSH keys and passwords injected into the guest.").optional(),
    architecture: z.string().optional().describe("CPU architecture: amd64 (default), arm64 or s390x."),
    dnsPolicy: z.string().optional().describe("DNS policy of the launcher pod."),
    dnsConfig: freeForm("DNS parameters of the launcher pod.").optional(),
    serviceAccountName: z.string().optional().describe("Service account of the launcher pod."),
    resourceClaims: freeFormList("Resource claims of the VMI.").optional(),
    utilityVolumes: freeFormList("Utility volumes attached to the launcher pod.").optional(),
  })
  .meta({ id: `${KUBEVIRT_V1}.VirtualMachineInstanceSpec`, description: "Specification of a VirtualMachineInstance." });

/** `v1.VirtualMachineInstanceTemplateSpec` (template metadata keeps unknown fields, as the CRDs do). */
export const VMITemplateSpecSchema = z
  .object({
    metadata: ObjectMetaSchema.catchall(z.unknown()).optional().describe("Metadata of the VMIs created from this template."),
    spec: VMISpecSchema.optional().describe("Specification of the VMIs created from this template."),
  })
  .meta({ id: `${KUBEVIRT_V1}.VirtualMachineInstanceTemplateSpec`, description: "Template a VMI is created from." });

/** A kubevirt.io/v1 VirtualMachineInstanceSpec. */
export type VMISpec = z.infer<typeof VMISpecSchema>;
/** A kubevirt.io/v1 VirtualMachineInstanceTemplateSpec. */
export type VMITemplateSpec = z.infer<typeof VMITemplateSpecSchema>;
