/**
 * @module
 * `core/v1` PodStatus and ContainerStatus: what the scheduler, the host agent
 * and the server report about a pod (semantics.md §5).
 */
import { z } from "zod";
import { conditionSchema, freeForm, freeFormList, ResourceListSchema, TimeSchema } from "../meta";
import { CORE_V1 } from "./container";

/** `core/v1.ContainerState`: exactly one of waiting, running or terminated. */
export const ContainerStateSchema = z
  .object({
    waiting: z
      .object({
        reason: z.string().optional().describe("Why the container is not yet running, e.g. ContainerCreating."),
        message: z.string().optional().describe("Details about the reason."),
      })
      .optional()
      .describe("Details about a waiting container."),
    running: z
      .object({ startedAt: TimeSchema.optional().describe("When the container was last (re)started.") })
      .optional()
      .describe("Details about a running container."),
    terminated: z
      .object({
        exitCode: z.number().int().optional().describe("Exit status from the last termination of the container."),
        signal: z.number().int().optional().describe("Signal from the last termination of the container."),
        reason: z.string().optional().describe("Reason from the last termination, e.g. Completed or Error."),
        message: z.string().optional().describe("Message about the last termination."),
        startedAt: TimeSchema.optional().describe("When the previous execution started."),
        finishedAt: TimeSchema.optional().describe("When the container last terminated."),
        containerID: z.string().optional().describe("Container ID in the format '<type>://<container_id>'."),
      })
      .optional()
      .describe("Details about a terminated container."),
  })
  .meta({ id: `${CORE_V1}.ContainerState`, description: "The state of a container: waiting, running or terminated." });

/** `core/v1.ContainerStatus`. */
export const ContainerStatusSchema = z
  .object({
    name: z.string().optional().describe("Name of the container, as in the pod spec."),
    state: ContainerStateSchema.optional().describe("Current state of the container."),
    lastState: ContainerStateSchema.optional().describe("The container's last termination state."),
    ready: z.boolean().optional().describe("Whether the container is passing its readiness probe."),
    restartCount: z.number().int().optional().describe("How many times the container has been restarted."),
    image: z.string().optional().describe("The image the container is running."),
    imageID: z.string().optional().describe("The image ID of the container's image."),
    containerID: z.string().optional().describe("Container ID in the format '<type>://<container_id>'."),
    started: z.boolean().optional().describe("Whether the container has passed its startup probe."),
    allocatedResources: ResourceListSchema.optional().describe("Compute resources allocated to the container."),
    resources: freeForm("Compute resources configured for the running container.").optional(),
    volumeMounts: freeFormList("Status of the container's volume mounts.").optional(),
    user: freeForm("Identity information of the container's first process.").optional(),
    allocatedResourcesStatus: freeFormList("Health of the resources allocated to the container.").optional(),
    stopSignal: z.string().optional().describe("Stop signal of the container."),
  })
  .meta({ id: `${CORE_V1}.ContainerStatus`, description: "Details of a container's current condition." });

/** `core/v1.PodCondition`. */
export const PodConditionSchema = conditionSchema(
  `${CORE_V1}.PodCondition`,
  "Details of the current condition of a pod: PodScheduled, Initialized, ContainersReady or Ready.",
  ["lastProbeTime", "lastTransitionTime", "observedGeneration"] as const,
);

const IPSchema = z.object({ ip: z.string().describe("An IP address.") });

/** `core/v1.PodStatus`. */
export const PodStatusSchema = z
  .object({
    observedGeneration: z.number().int().optional().describe("The pod generation this status is for."),
    phase: z.string().optional().describe("High-level summary of the pod's lifecycle: Pending, Running, Succeeded, Failed or Unknown."),
    conditions: z.array(PodConditionSchema).optional().describe("Current service state of the pod."),
    message: z.string().optional().describe("Human-readable message about why the pod is in this condition."),
    reason: z.string().optional().describe("Brief CamelCase reason for the pod's state, e.g. Evicted."),
    nominatedNodeName: z.string().optional().describe("Node the pod is nominated to after preempting others."),
    hostIP: z.string().optional().describe("IP address of the host the pod is assigned to."),
    hostIPs: z.array(IPSchema).optional().describe("IP addresses of the host."),
    podIP: z.string().optional().describe("IP address allocated to the pod."),
    podIPs: z.array(IPSchema).optional().describe("IP addresses allocated to the pod; the first equals podIP."),
    startTime: TimeSchema.optional().describe("When the pod was acknowledged by the node, before its images were pulled."),
    initContainerStatuses: z.array(ContainerStatusSchema).optional().describe("Status of each init container."),
    containerStatuses: z.array(ContainerStatusSchema).optional().describe("Status of each container."),
    ephemeralContainerStatuses: z.array(ContainerStatusSchema).optional().describe("Status of each ephemeral container."),
    qosClass: z.string().optional().describe("Quality of Service class: Guaranteed, Burstable or BestEffort."),
    resize: z.string().optional().describe("Status of a pending resize of the pod's containers."),
    resourceClaimStatuses: freeFormList("Status of the pod's resource claims.").optional(),
  })
  .meta({ id: `${CORE_V1}.PodStatus`, description: "Information about the status of a pod. May lag the actual state." });

/** A core/v1 PodStatus. */
export type PodStatus = z.infer<typeof PodStatusSchema>;
/** A core/v1 ContainerStatus. */
export type ContainerStatus = z.infer<typeof ContainerStatusSchema>;
