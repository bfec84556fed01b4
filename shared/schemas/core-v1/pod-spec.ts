/**
 * @module
 * `core/v1` PodSpec and PodTemplateSpec (shared by Pod and ReplicaSet), with
 * Volume and Toleration. Volume sources, affinity, security and DNS settings
 * are free-form: the server stores them for the host agent and never
 * interprets them.
 */
import { z } from "zod";
import { freeForm, freeFormList, ObjectMetaSchema, ResourceListSchema } from "../meta";
import { ContainerSchema, CORE_V1 } from "./container";

/** `PodSpec.restartPolicy`, in upstream's NotSupported order. */
export const RESTART_POLICIES = ["Always", "OnFailure", "Never"] as const;
/** `PodSpec.dnsPolicy`, in upstream's NotSupported order (a sorted set). */
export const DNS_POLICIES = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"] as const;

/** Every `core/v1.VolumeSource` member; exactly one is set per volume. */
export const VOLUME_SOURCES = [
  "hostPath",
  "emptyDir",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "gitRepo",
  "secret",
  "nfs",
  "iscsi",
  "glusterfs",
  "persistentVolumeClaim",
  "rbd",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "downwardAPI",
  "fc",
  "azureFile",
  "configMap",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "projected",
  "portworxVolume",
  "scaleIO",
  "storageos",
  "csi",
  "ephemeral",
  "image",
] as const;

const volumeSourceShape = Object.fromEntries(
  VOLUME_SOURCES.map((k) => [k, freeForm(`The ${k} volume source.`).optional()]),
) as Record<(typeof VOLUME_SOURCES)[number], z.ZodOptional<ReturnType<typeof freeForm>>>;

/** `core/v1.Volume`: a name plus one volume source. */
export const VolumeSchema = z
  .object({
    name: z.string().describe("Name of the volume: a DNS_LABEL unique within the pod."),
    ...volumeSourceShape,
  })
  .meta({
    id: `${CORE_V1}.Volume`,
    description: "A named volume in a pod that may be accessed by any container in the pod. An empty source means emptyDir.",
  });

/** `core/v1.Toleration`. */
export const TolerationSchema = z
  .object({
    key: z.string().optional().describe("Taint key the toleration applies to; empty with Exists matches all taints."),
    operator: z.string().optional().describe("Exists or Equal (the default)."),
    value: z.string().optional().describe("Taint value the toleration matches; empty with Exists."),
    effect: z.string().optional().describe("Taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; empty matches all."),
    tolerationSeconds: z
      .number()
      .int()
      .optional()
      .describe("For NoExecute: how long the pod stays bound after the taint is added."),
  })
  .meta({ id: `${CORE_V1}.Toleration`, description: "Tolerates any taint that matches the triple <key,value,effect>." });

/** `core/v1.LocalObjectReference`. */
export const LocalObjectReferenceSchema = z
  .object({ name: z.string().optional().describe("Name of the referent.") })
  .meta({ id: `${CORE_V1}.LocalObjectReference`, description: "A reference to an object in the same namespace." });

/** `core/v1.PodSpec`: the description of a pod. */
export const PodSpecSchema = z
  .object({
    volumes: z.array(VolumeSchema).optional().describe("Volumes that can be mounted by containers of the pod."),
    initContainers: z
      .array(ContainerSchema)
      .optional()
      .describe("Containers run in order before the app containers start."),
    containers: z
      .array(ContainerSchema)
      .describe("Containers of the pod. There must be at least one. Cannot be added or removed after creation."),
    ephemeralContainers: freeFormList("Ephemeral containers added for debugging; set through a subresource.").optional(),
    restartPolicy: z
      .enum(RESTART_POLICIES)
      .optional()
      .describe("Restart policy for all containers: Always (default), OnFailure or Never."),
    terminationGracePeriodSeconds: z
      .number()
      .int()
      .optional()
      .describe("Seconds the pod needs to terminate gracefully. Defaults to 30."),
    activeDeadlineSeconds: z
      .number()
      .int()
      .optional()
      .describe("Seconds the pod may be active before the system marks it failed."),
    dnsPolicy: z
      .enum(DNS_POLICIES)
      .optional()
      .describe("ClusterFirst (default), ClusterFirstWithHostNet, Default or None."),
    nodeSelector: z
      .record(z.string(), z.string())
      .optional()
      .describe("Labels a node must have for the pod to be scheduled on it."),
    serviceAccountName: z.string().optional().describe("Name of the ServiceAccount used to run this pod."),
    serviceAccount: z.string().optional().describe("Deprecated alias of serviceAccountName."),
    automountServiceAccountToken: z.boolean().optional().describe("Whether a service account token is mounted."),
    nodeName: z
      .string()
      .optional()
      .describe("The node the pod is bound to. Set by the scheduler through the binding subresource."),
    hostNetwork: z.boolean().optional().describe("Use the host's network namespace. Defaults to false."),
    hostPID: z.boolean().optional().describe("Use the host's pid namespace."),
    hostIPC: z.boolean().optional().describe("Use the host's ipc namespace."),
    shareProcessNamespace: z.boolean().optional().describe("Share a single process namespace between containers."),
    securityContext: freeForm("Pod-level security attributes and common container settings. Defaults to {}.").optional(),
    imagePullSecrets: z
      .array(LocalObjectReferenceSchema)
      .optional()
      .describe("Secrets used to pull the pod's images."),
    hostname: z.string().optional().describe("Hostname of the pod; defaults to a system-defined value."),
    subdomain: z.string().optional().describe("Subdomain: the FQDN becomes <hostname>.<subdomain>.<namespace>.svc."),
    affinity: freeForm("Scheduling constraints: nodeAffinity, podAffinity and podAntiAffinity.").optional(),
    schedulerName: z
      .string()
      .optional()
      .describe("The scheduler that dispatches the pod. Defaults to default-scheduler."),
    tolerations: z.array(TolerationSchema).optional().describe("The pod's tolerations."),
    hostAliases: freeFormList("Hosts and IPs injected into the pod's hosts file.").optional(),
    priorityClassName: z.string().optional().describe("Name of the pod's PriorityClass."),
    priority: z.number().int().optional().describe("Priority value, set by the Priority admission controller."),
    dnsConfig: freeForm("DNS parameters of the pod, merged with those generated from dnsPolicy.").optional(),
    readinessGates: z
      .array(z.object({ conditionType: z.string().describe("A condition type in the pod's conditions.") }))
      .optional()
      .describe("Extra conditions evaluated for pod readiness."),
    runtimeClassName: z.string().optional().describe("RuntimeClass used to run this pod."),
    enableServiceLinks: z
      .boolean()
      .optional()
      .describe("Whether service information is injected into environment variables. Defaults to true."),
    preemptionPolicy: z.string().optional().describe("PreemptLowerPriority (default) or Never."),
    overhead: ResourceListSchema.optional().describe("Resource overhead of running the pod's sandbox."),
    topologySpreadConstraints: freeFormList("How the pods spread across topology domains.").optional(),
    setHostnameAsFQDN: z.boolean().optional().describe("Use the FQDN as the pod's hostname."),
    os: freeForm("The OS of the containers in the pod (`name`: linux or windows).").optional(),
    hostUsers: z.boolean().optional().describe("Use the host's user namespace. Defaults to true."),
    schedulingGates: z
      .array(z.object({ name: z.string().describe("Name of the scheduling gate.") }))
      .optional()
      .describe("Gates that block scheduling while present."),
    resourceClaims: freeFormList("ResourceClaims that must be allocated before the pod can start.").optional(),
    resources: freeForm("Pod-level total resource requests and limits.").optional(),
  })
  .meta({ id: `${CORE_V1}.PodSpec`, description: "A description of a pod." });

/** `core/v1.PodTemplateSpec`: what a controller creates pods from. */
export const PodTemplateSpecSchema = z
  .object({
    metadata: ObjectMetaSchema.optional().describe("Metadata of the pods created from this template."),
    spec: PodSpecSchema.optional().describe("Specification of the desired behavior of the pod."),
  })
  .meta({ id: `${CORE_V1}.PodTemplateSpec`, description: "Data a pod should have when created from a template." });

/** A core/v1 PodSpec. */
export type PodSpec = z.infer<typeof PodSpecSchema>;
/** A core/v1 PodTemplateSpec. */
export type PodTemplateSpec = z.infer<typeof PodTemplateSpecSchema>;
/** A core/v1 Volume. */
export type Volume = z.infer<typeof VolumeSchema>;
/** A core/v1 Toleration. */
export type Toleration = z.infer<typeof TolerationSchema>;
