/**
 * @module
 * The host report: what an agent POSTs to its node's webhook — a heartbeat
 * (node conditions, capacity) and the observed state of the pods and VMIs
 * bound to it, each with a per-object observation sequence — and the
 * per-item answer. Shared by the Worker (which validates it) and the agent.
 */
import { z } from "zod";

/** Quantities by resource name, e.g. { cpu: "16", memory: "64Gi", pods: "110" }. */
const ResourceList = z.record(z.string(), z.string());

/** A node condition as the host sees it (the server stamps lastHeartbeatTime). */
const NodeCondition = z.strictObject({
  type: z.string().min(1),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().optional(),
  message: z.string().optional(),
});

/** The heartbeat half of a report: the Node's status as the host sees it. */
export const NodeReportSchema = z.strictObject({
  conditions: z.array(NodeCondition).max(32).optional(),
  capacity: ResourceList.optional(),
  allocatable: ResourceList.optional(),
  addresses: z.array(z.strictObject({ type: z.string(), address: z.string() })).max(16).optional(),
  nodeInfo: z.record(z.string(), z.string()).optional(),
});

/** Status fields a host may report for a pod (the kubelet's share of PodStatus). */
const PodReportStatus = z.strictObject({
  phase: z.enum(["Pending", "Running", "Succeeded", "Failed", "Unknown"]).optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  conditions: z.array(z.record(z.string(), z.unknown())).optional(),
  hostIP: z.string().optional(),
  hostIPs: z.array(z.strictObject({ ip: z.string() })).optional(),
  podIP: z.string().optional(),
  podIPs: z.array(z.strictObject({ ip: z.string() })).optional(),
  startTime: z.string().optional(),
  containerStatuses: z.array(z.record(z.string(), z.unknown())).optional(),
});

/**
 * A host's share of a VMI's `status.migrationState` (virt-handler's): the
 * target reports where it listens and when it runs the domain, the source
 * when it started and how it ended. Applied only to the migration it names.
 */
export const MigrationReportSchema = z.strictObject({
  migrationUid: z.string().min(1),
  targetNodeAddress: z.string().optional(),
  targetNodeDomainDetected: z.boolean().optional(),
  targetNodeDomainReadyTimestamp: z.string().optional(),
  startTimestamp: z.string().optional(),
  endTimestamp: z.string().optional(),
  completed: z.boolean().optional(),
  failed: z.boolean().optional(),
  failureReason: z.string().optional(),
  abortStatus: z.enum(["Succeeded", "Failed"]).optional(),
});

/** Status fields a host may report for a VMI (virt-handler's share of VirtualMachineInstanceStatus). */
const VMIReportStatus = z.strictObject({
  phase: z.enum(["Scheduled", "Running", "Succeeded", "Failed", "Unknown"]).optional(),
  reason: z.string().optional(),
  conditions: z.array(z.record(z.string(), z.unknown())).optional(),
  interfaces: z.array(z.record(z.string(), z.unknown())).optional(),
  guestOSInfo: z.record(z.string(), z.unknown()).optional(),
  /** Live migration: the only field the migration's target host may report before the handover. */
  migrationState: MigrationReportSchema.optional(),
});

const itemBase = {
  namespace: z.string().min(1),
  name: z.string().min(1),
  /** The object's uid as the host saw it: a recreated object of the same name is another object. */
  uid: z.string().min(1),
  /** Increases with every observation the host makes of this object; older ones are ignored. */
  sequence: z.number().int().positive(),
  /**
   * The workload no longer runs on the host (stopped, or never started).
   * For an object being deleted this ends the deletion.
   */
  stopped: z.boolean().optional(),
};

/** One observed object. */
export const ReportItemSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("Pod"), ...itemBase, status: PodReportStatus }),
  z.strictObject({ kind: z.literal("VirtualMachineInstance"), ...itemBase, status: VMIReportStatus }),
]);

/**
 * When a usage sample was taken and over how long its CPU rate was measured
 * (metrics-server's `timestamp` and `window`): CPU is the delta of
 * cumulative CPU time over the window, memory the value at the timestamp.
 */
const sampleTime = {
  timestamp: z.string().min(1).max(64),
  windowSeconds: z.number().positive().max(3600),
};

/** Non-negative integers: nanocores (1e9 = one CPU) and bytes. */
const cpuNanoCores = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const memoryBytes = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** One container's usage. */
const ContainerUsage = z.strictObject({ name: z.string().min(1).max(253), cpuNanoCores, memoryBytes });

/** Usage of the host, of its pods' containers and of its VMIs, at the last sample. */
export const UsageReportSchema = z.strictObject({
  node: z.strictObject({ ...sampleTime, cpuNanoCores, memoryBytes }).optional(),
  pods: z.array(z.strictObject({
    namespace: z.string().min(1).max(253),
    name: z.string().min(1).max(253),
    uid: z.string().min(1).max(128),
    ...sampleTime,
    containers: z.array(ContainerUsage).max(64),
  })).max(500).default([]),
  vmis: z.array(z.strictObject({
    namespace: z.string().min(1).max(253),
    name: z.string().min(1).max(253),
    uid: z.string().min(1).max(128),
    ...sampleTime,
    cpuNanoCores,
    memoryBytes,
  })).max(500).default([]),
});

/** The whole report body. */
export const HostReportSchema = z.strictObject({
  node: NodeReportSchema.optional(),
  items: z.array(ReportItemSchema).max(500).default([]),
  /** Resource usage (`kubectl top`), sent with the heartbeat; kept in memory by the server, never stored. */
  usage: UsageReportSchema.optional(),
});

export type NodeReport = z.infer<typeof NodeReportSchema>;
export type ReportItem = z.infer<typeof ReportItemSchema>;
export type MigrationReport = z.infer<typeof MigrationReportSchema>;
export type UsageReport = z.input<typeof UsageReportSchema>;
export type ParsedUsageReport = z.output<typeof UsageReportSchema>;
export type HostReport = z.input<typeof HostReportSchema>;

/** What became of one item: HTTP-like code and a word for it. */
export type ItemResult =
  | "Applied" // folded into status
  | "Stale" // not newer than the last applied observation: ignored
  | "Refused" // not bound to this node (NodeRestriction)
  | "NotFound" // no such object, or another uid
  | "Invalid"; // the status would not validate

/** The answer for one item. */
export interface ReportItemResult {
  kind: string;
  namespace: string;
  name: string;
  result: ItemResult;
  code: number;
  message?: string;
  resourceVersion?: string;
}

/** The webhook's 200 answer. */
export interface HostReportResult {
  kind: "HostReportResult";
  apiVersion: "hosts.duraplane.io/v1";
  /** True when this webhook-id was seen before: the first answer is returned and nothing is applied again. */
  replayed: boolean;
  node?: { result: ItemResult; code: number; message?: string; resourceVersion?: string };
  items: ReportItemResult[];
}
