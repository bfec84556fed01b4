/**
 * @module
 * A host's report about a VMI's live migration, folded by the VMI's own
 * store as part of the `report` write (report-op.ts), so the checks and the
 * handover are one atomic step:
 * - NodeRestriction: the VMI's bound node (the source) reports as ever; the
 *   migration's target node may report too, but only `migrationState`, and
 *   only while the VMI carries that migration and is not yet bound to it;
 * - a report names its migration (`migrationUid`): one about another
 *   migration is ignored; each side writes only its own fields (virt-handler
 *   on the target: address and domain detection; on the source: start, end,
 *   completed, failed, abort status), and completed/failed never go back;
 * - the handover: once the source completed and the target runs the domain,
 *   `status.nodeName` and the `kubevirt.io/nodeName` label switch to the
 *   target and the target label goes (virt-handler's target side does this
 *   upstream). The VMI keeps its uid and phase Running throughout.
 */
import { VMI_MIGRATION_TARGET_LABEL, VMI_NODE_NAME_LABEL } from "../../shared/hosts/constants";
import { forbidden } from "../../shared/k8s/errors";
import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/k8s/object";

/** Who is reporting about the VMI's migration. */
export type MigrationRole = "source" | "target";

const TARGET_FIELDS = ["targetNodeAddress", "targetNodeDomainDetected", "targetNodeDomainReadyTimestamp", "failed", "failureReason"] as const;
const SOURCE_FIELDS = ["startTimestamp", "endTimestamp", "completed", "failed", "failureReason", "abortStatus"] as const;

function stateOf(obj: KubeObject): JsonObject {
  const status = isJsonObject(obj.status) ? obj.status : {};
  return isJsonObject(status.migrationState) ? status.migrationState : {};
}

/**
 * Whether `node`, not the VMI's bound node, may report on it as its
 * migration's target (throws 403 when it claims to but sends more than
 * `migrationState`); undefined when it is not the target at all.
 */
export function migrationTargetRole(current: KubeObject, node: string, reported: JsonObject): MigrationRole | undefined {
  if (current.kind !== "VirtualMachineInstance") return undefined;
  const state = stateOf(current);
  if (state.targetNode !== node || state.completed === true && state.targetNodeDomainDetected === true) return undefined;
  const extra = Object.keys(reported).filter((k) => k !== "migrationState");
  if (extra.length > 0) {
    throw forbidden(`node "${node}" is the migration target of virtualmachineinstances "${current.metadata.name ?? ""}" and may only report its migrationState until the handover, not ${extra.join(", ")}`);
  }
  return "target";
}

/**
 * After a failure only the closing fields land (end time, abort outcome);
 * after completion, the end time and the target's domain detection; and
 * completed / failed never go back.
 */
function mayLand(stored: JsonObject, field: string): boolean {
  if (stored.failed === true) return field === "endTimestamp" || field === "abortStatus";
  if (stored.completed === true) return field === "endTimestamp" || field === "targetNodeDomainDetected" || field === "targetNodeDomainReadyTimestamp";
  return true;
}

/** `migrationState` after a host's report (unchanged when the report is about another migration). */
export function mergeMigrationState(stored: JsonObject, reported: JsonObject, role: MigrationRole): JsonObject {
  if (typeof stored.migrationUid !== "string" || reported.migrationUid !== stored.migrationUid) return stored;
  const next: JsonObject = { ...stored };
  for (const field of role === "target" ? TARGET_FIELDS : SOURCE_FIELDS) {
    const value = reported[field];
    if (value === undefined || !mayLand(stored, field)) continue;
    next[field] = value;
  }
  // The target may not run a domain the source failed to send.
  if (next.failed === true && role === "target") delete next.targetNodeDomainDetected;
  return next;
}

/**
 * Applies the handover to `next` (status and labels) when its migration
 * completed on the source and the target runs the domain.
 */
export function handOver(next: KubeObject): void {
  const status = isJsonObject(next.status) ? next.status : undefined;
  if (!status) return;
  const state = stateOf(next);
  const target = typeof state.targetNode === "string" ? state.targetNode : "";
  if (target === "" || state.completed !== true || state.failed === true || state.targetNodeDomainDetected !== true) return;
  if (status.nodeName === target) return;
  status.nodeName = target;
  const labels: Record<string, string> = { ...(next.metadata.labels ?? {}), [VMI_NODE_NAME_LABEL]: target };
  delete labels[VMI_MIGRATION_TARGET_LABEL];
  next.metadata.labels = labels;
}
