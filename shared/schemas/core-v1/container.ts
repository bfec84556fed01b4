/**
 * @module
 * `core/v1` Container and the types it embeds (ports, env, resources, volume
 * mounts), as `k8s.io/api/core/v1/types.go` declares them. Probes, lifecycle
 * hooks and security contexts are kept as free-form objects: the server only
 * defaults probe timings and never interprets their handlers.
 */
import { z } from "zod";
import { freeForm, freeFormList, ResourceListSchema } from "../meta";

/** Component-name prefix of `k8s.io/api/core/v1` types. */
export const CORE_V1 = "io.k8s.api.core.v1";

/** `ContainerPort.protocol`; values in the order upstream's NotSupported error lists them. */
export const PROTOCOLS = ["SCTP", "TCP", "UDP"] as const;
/** `Container.imagePullPolicy`, in upstream's error order. */
export const PULL_POLICIES = ["Always", "IfNotPresent", "Never"] as const;
/** `Container.terminationMessagePolicy`, in upstream's error order. */
export const TERMINATION_MESSAGE_POLICIES = ["File", "FallbackToLogsOnError"] as const;

/** `core/v1.ContainerPort`. */
export const ContainerPortSchema = z
  .object({
    name: z
      .string()
      .optional()
      .describe("An IANA_SVC_NAME, unique within the pod; services can refer to the port by it."),
    hostPort: z.number().int().optional().describe("Port to expose on the host (1-65535); most containers do not need it."),
    containerPort: z.number().int().describe("Port to expose on the pod's IP address (1-65535)."),
    protocol: z.enum(PROTOCOLS).optional().describe("Protocol for the port: UDP, TCP or SCTP. Defaults to TCP."),
    hostIP: z.string().optional().describe("Host IP to bind the external port to."),
  })
  .meta({ id: `${CORE_V1}.ContainerPort`, description: "A network port in a single container." });

/** `core/v1.ObjectFieldSelector` (defaulted, so modelled). */
export const ObjectFieldSelectorSchema = z
  .object({
    apiVersion: z.string().optional().describe('Version of the schema the FieldPath is written in; defaults to "v1".'),
    fieldPath: z.string().describe("Path of the field to select in the specified API version."),
  })
  .meta({ id: `${CORE_V1}.ObjectFieldSelector`, description: "Selects a field of the pod." });

/** `core/v1.EnvVarSource`. */
export const EnvVarSourceSchema = z
  .object({
    fieldRef: ObjectFieldSelectorSchema.optional().describe("Selects a field of the pod, e.g. `metadata.name`."),
    resourceFieldRef: freeForm("Selects a resource of the container (limits.cpu, requests.memory…).").optional(),
    configMapKeyRef: freeForm("Selects a key of a ConfigMap.").optional(),
    secretKeyRef: freeForm("Selects a key of a secret in the pod's namespace.").optional(),
    fileKeyRef: freeForm("Selects a key of an env file.").optional(),
  })
  .meta({ id: `${CORE_V1}.EnvVarSource`, description: "Source for an environment variable's value." });

/** `core/v1.EnvVar`. */
export const EnvVarSchema = z
  .object({
    name: z.string().describe("Name of the environment variable."),
    value: z
      .string()
      .optional()
      .describe("Value, with $(VAR_NAME) references to earlier variables expanded. Defaults to \"\"."),
    valueFrom: EnvVarSourceSchema.optional().describe("Source for the value. Cannot be used if value is not empty."),
  })
  .meta({ id: `${CORE_V1}.EnvVar`, description: "An environment variable present in a container." });

/** `core/v1.EnvFromSource`. */
export const EnvFromSourceSchema = z
  .object({
    prefix: z.string().optional().describe("Identifier to prepend to each key."),
    configMapRef: freeForm("The ConfigMap to select from.").optional(),
    secretRef: freeForm("The Secret to select from.").optional(),
  })
  .meta({ id: `${CORE_V1}.EnvFromSource`, description: "A source to populate environment variables from." });

/** `core/v1.ResourceRequirements`. */
export const ResourceRequirementsSchema = z
  .object({
    limits: ResourceListSchema.optional().describe("Maximum amount of compute resources allowed."),
    requests: ResourceListSchema.optional().describe(
      "Minimum amount of compute resources required. Defaults to limits when omitted and limits are set.",
    ),
    claims: freeFormList("Names of resources, defined in spec.resourceClaims, used by this container.").optional(),
  })
  .meta({ id: `${CORE_V1}.ResourceRequirements`, description: "Compute resource requirements." });

/** `core/v1.VolumeMount`. */
export const VolumeMountSchema = z
  .object({
    name: z.string().describe("Must match the name of a volume."),
    mountPath: z.string().describe("Path within the container at which the volume is mounted. Must not contain ':'."),
    readOnly: z.boolean().optional().describe("Mounted read-only if true. Defaults to false."),
    recursiveReadOnly: z.string().optional().describe("Whether read-only mounts are recursively read-only."),
    subPath: z.string().optional().describe("Path within the volume to mount instead of its root."),
    subPathExpr: z.string().optional().describe("Like subPath, with $(VAR_NAME) expansion."),
    mountPropagation: z.string().optional().describe("How mounts propagate between host and container."),
  })
  .meta({ id: `${CORE_V1}.VolumeMount`, description: "A mounting of a Volume within a container." });

const PROBE_DESCRIPTION =
  "Probe: exec, httpGet, tcpSocket or grpc handler plus initialDelaySeconds, timeoutSeconds (default 1), " +
  "periodSeconds (default 10), successThreshold (default 1) and failureThreshold (default 3).";

/** `core/v1.Container`: a single application container of a pod. */
export const ContainerSchema = z
  .object({
    name: z.string().describe("Name of the container as a DNS_LABEL, unique within the pod. Cannot be updated."),
    image: z.string().optional().describe("Container image name."),
    command: z.array(z.string()).optional().describe("Entrypoint array; the image's ENTRYPOINT is used if not provided."),
    args: z.array(z.string()).optional().describe("Arguments to the entrypoint; the image's CMD is used if not provided."),
    workingDir: z.string().optional().describe("Container's working directory. Cannot be updated."),
    ports: z.array(ContainerPortSchema).optional().describe("Ports to expose from the container."),
    envFrom: z.array(EnvFromSourceSchema).optional().describe("Sources to populate environment variables from."),
    env: z.array(EnvVarSchema).optional().describe("Environment variables to set in the container."),
    resources: ResourceRequirementsSchema.optional().describe("Compute resources required by this container."),
    resizePolicy: freeFormList("Resource resize policy for the container.").optional(),
    restartPolicy: z.string().optional().describe("Only `Always` for init containers (sidecars)."),
    volumeMounts: z.array(VolumeMountSchema).optional().describe("Pod volumes to mount into the container's filesystem."),
    volumeDevices: freeFormList("Block devices to be used by the container.").optional(),
    livenessProbe: freeForm(`Periodic probe of container liveness. ${PROBE_DESCRIPTION}`).optional(),
    readinessProbe: freeForm(`Periodic probe of container service readiness. ${PROBE_DESCRIPTION}`).optional(),
    startupProbe: freeForm(`Probe that must succeed before other probes run. ${PROBE_DESCRIPTION}`).optional(),
    lifecycle: freeForm("Actions the system takes in response to container lifecycle events (postStart, preStop).").optional(),
    terminationMessagePath: z
      .string()
      .optional()
      .describe("File the container's termination message is written to. Defaults to /dev/termination-log."),
    terminationMessagePolicy: z
      .enum(TERMINATION_MESSAGE_POLICIES)
      .optional()
      .describe("How the termination message is populated: File (default) or FallbackToLogsOnError."),
    imagePullPolicy: z
      .enum(PULL_POLICIES)
      .optional()
      .describe("Always, Never or IfNotPresent. Defaults to Always for a :latest or untagged image, else IfNotPresent."),
    securityContext: freeForm("Security options the container should be run with.").optional(),
    stdin: z.boolean().optional().describe("Whether the container allocates a buffer for stdin."),
    stdinOnce: z.boolean().optional().describe("Whether stdin is closed after the first attach."),
    tty: z.boolean().optional().describe("Whether the container allocates a TTY for itself."),
  })
  .meta({ id: `${CORE_V1}.Container`, description: "A single application container that you want to run within a pod." });

/** A core/v1 Container. */
export type Container = z.infer<typeof ContainerSchema>;
