/**
 * @module
 * `v1` Node (one bare-metal host): schema, defaulting (SetDefaults_NodeStatus
 * and the podCIDR/podCIDRs conversion) and validation (`ValidateNode`,
 * `ValidateNodeUpdate`: taints, immutable podCIDRs and providerID).
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import type { KubeObject } from "../../k8s/object";
import { duplicate, forbidden, invalidValue, isQualifiedName, isValidLabelValue, validateObjectMeta } from "../../k8s/validation";
import {
  asKind,
  conditionSchema,
  freeForm,
  freeFormList,
  ResourceListSchema,
  TimeSchema,
  typeAndObjectMeta,
  type KindStrategy,
} from "../meta";
import { CORE_V1 } from "./container";
import { validateTaintEffect } from "./pod-spec-validation";

/** `core/v1.Taint`. */
export const TaintSchema = z
  .object({
    key: z.string().optional().describe("The taint key to be applied to a node."),
    value: z.string().optional().describe("The taint value corresponding to the taint key."),
    effect: z.string().optional().describe("Effect on pods that do not tolerate the taint: NoSchedule, PreferNoSchedule or NoExecute."),
    timeAdded: TimeSchema.optional().describe("When the taint was added; only for NoExecute taints."),
  })
  .meta({ id: `${CORE_V1}.Taint`, description: "A taint repels pods that do not tolerate it from the node." });

/** `core/v1.NodeSystemInfo`. */
const NodeSystemInfoSchema = z
  .object({
    machineID: z.string().optional().describe("MachineID reported by the node."),
    systemUUID: z.string().optional().describe("SystemUUID reported by the node."),
    bootID: z.string().optional().describe("Boot ID reported by the node."),
    kernelVersion: z.string().optional().describe("Kernel version reported by `uname -r`."),
    osImage: z.string().optional().describe("OS image reported by the node from /etc/os-release."),
    containerRuntimeVersion: z.string().optional().describe("Container runtime version, e.g. containerd://1.7."),
    kubeletVersion: z.string().optional().describe("Version of the node agent."),
    kubeProxyVersion: z.string().optional().describe("Deprecated: kube-proxy version."),
    operatingSystem: z.string().optional().describe("The operating system of the node."),
    architecture: z.string().optional().describe("The architecture of the node."),
    swap: freeForm("Swap information of the node.").optional(),
  })
  .meta({ id: `${CORE_V1}.NodeSystemInfo`, description: "A set of ids and versions identifying the node." });

/** `v1` Node. */
export const NodeSchema = z
  .object({
    ...typeAndObjectMeta("Node"),
    spec: z
      .object({
        podCIDR: z.string().optional().describe("The pod IP range assigned to the node."),
        podCIDRs: z.array(z.string()).optional().describe("The pod IP ranges assigned to the node; the first equals podCIDR."),
        providerID: z.string().optional().describe("ID of the node assigned by its provider: <ProviderName>://<ProviderSpecificNodeID>."),
        unschedulable: z.boolean().optional().describe("Controls node schedulability of new pods. Defaults to schedulable."),
        taints: z.array(TaintSchema).optional().describe("The node's taints."),
        configSource: freeForm("Deprecated: dynamic kubelet configuration source.").optional(),
        externalID: z.string().optional().describe("Deprecated."),
      })
      .meta({ id: `${CORE_V1}.NodeSpec`, description: "Attributes a node is created with." })
      .optional()
      .describe("Spec defines the behavior of a node."),
    status: z
      .object({
        capacity: ResourceListSchema.optional().describe("Total resources of the node."),
        allocatable: ResourceListSchema.optional().describe("Resources available for scheduling. Defaults to capacity."),
        phase: z.string().optional().describe("Deprecated: the node's lifecycle phase."),
        conditions: z
          .array(
            conditionSchema(`${CORE_V1}.NodeCondition`, "A condition of a node, e.g. Ready.", [
              "lastHeartbeatTime",
              "lastTransitionTime",
            ] as const),
          )
          .optional()
          .describe("Conditions of the node, e.g. Ready."),
        addresses: z
          .array(
            z.object({
              type: z.string().describe("Node address type: Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS."),
              address: z.string().describe("The node address."),
            }),
          )
          .optional()
          .describe("Addresses reachable to the node."),
        daemonEndpoints: freeForm("Endpoints of daemons running on the node.").optional(),
        nodeInfo: NodeSystemInfoSchema.optional().describe("General information about the node."),
        images: freeFormList("Container images on the node.").optional(),
        volumesInUse: z.array(z.string()).optional().describe("Volumes in use (mounted) by the node."),
        volumesAttached: freeFormList("Volumes attached to the node.").optional(),
        config: freeForm("Status of the config assigned to the node.").optional(),
        runtimeHandlers: freeFormList("The available runtime handlers.").optional(),
        features: freeForm("Features implemented by the CRI implementation.").optional(),
      })
      .meta({ id: `${CORE_V1}.NodeStatus`, description: "The most recently observed status of the node." })
      .optional()
      .describe("Most recently observed status of the node. Read-only; reported by the host."),
  })
  .meta({
    id: `${CORE_V1}.Node`,
    description: "Node is a worker host in the cluster. Each node has a unique name.",
    "x-kubernetes-group-version-kind": [{ group: "", version: "v1", kind: "Node" }],
  });

/** A v1 Node. */
export type Node = z.infer<typeof NodeSchema>;
/** A core/v1 Taint. */
export type Taint = z.infer<typeof TaintSchema>;

/** Defaults a node: allocatable from capacity, podCIDR and podCIDRs in step. */
export function defaultNode(node: Node): void {
  const spec = node.spec;
  if (spec?.podCIDR && !spec.podCIDRs?.length) spec.podCIDRs = [spec.podCIDR];
  if (spec && !spec.podCIDR && spec.podCIDRs?.[0]) spec.podCIDR = spec.podCIDRs[0];
  const status = node.status;
  if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
}

/** `validateNodeTaints`: qualified keys, label values, known effects, unique by key and effect. */
export function validateNodeTaints(taints: readonly Taint[], path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  taints.forEach((t, i) => {
    const p = `${path}[${i}]`;
    const key = t.key ?? "";
    causes.push(...isQualifiedName(key).map((msg) => invalidValue(`${p}.key`, key, msg)));
    const valueErrs = isValidLabelValue(t.value ?? "");
    if (valueErrs.length > 0) causes.push(invalidValue(`${p}.value`, t.value ?? "", valueErrs.join(";")));
    causes.push(...validateTaintEffect(t.effect, false, `${p}.effect`));
    const id = `${t.effect ?? ""}\u0000${key}`;
    if (seen.has(id)) {
      const dup = duplicate(p, t);
      causes.push({ ...dup, message: `${dup.message}: taints must be unique by key and effect pair` });
    }
    seen.add(id);
  });
  return causes;
}

/** `ValidateNode`, plus `ValidateNodeUpdate`'s immutability rules when `old` is set. */
export function validateNode(node: Node, old?: Node): StatusCause[] {
  const causes = validateObjectMeta(node.metadata as KubeObject["metadata"], { namespaced: false });
  causes.push(...validateNodeTaints(node.spec?.taints ?? [], "spec.taints"));
  if (old) {
    const oldCIDRs = old.spec?.podCIDRs ?? [];
    const newCIDRs = node.spec?.podCIDRs ?? [];
    if (oldCIDRs.length > 0 && (oldCIDRs.length !== newCIDRs.length || oldCIDRs.some((c, i) => c !== newCIDRs[i]))) {
      causes.push(forbidden("spec.podCIDRs", 'node updates may not change podCIDR except from "" to valid'));
    }
    if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID) {
      causes.push(forbidden("spec.providerID", 'node updates may not change providerID except from "" to valid'));
    }
  }
  return causes;
}

/** The Node strategy. */
export const nodeStrategy: KindStrategy<typeof NodeSchema> = {
  schema: NodeSchema,
  applyDefaults(obj: KubeObject): void {
    defaultNode(asKind<Node>(obj));
  },
  validate(obj: KubeObject, old?: KubeObject): StatusCause[] {
    return validateNode(asKind<Node>(obj), old ? asKind<Node>(old) : undefined);
  },
};
