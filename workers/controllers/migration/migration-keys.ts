/**
 * @module
 * Which committed changes concern the migration controller and the
 * evacuation controller. Both run under one key each, as the scheduler does,
 * so each pass counts the bounds (parallel migrations per cluster and per
 * node) over every migration at once.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import type { EventType } from "../../objects/collection-store";
import type { ReconcileKey } from "../runtime/keys";
import { getCondition, specOf, statusOf } from "../shared/object-fields";
import { isStateActive, migrationStateOf } from "./migration-fields";

/** The one key the migration controller runs under. */
export const MIGRATION_KEY: ReconcileKey = { controller: "migration", namespace: "", name: "migration-controller" };
/** The one key the evacuation controller runs under. */
export const EVACUATION_KEY: ReconcileKey = { controller: "evacuation", namespace: "", name: "evacuation-controller" };

const MIGRATION = "VirtualMachineInstanceMigration";
const VMI = "VirtualMachineInstance";

/** What either controller reads of a Node: readiness, cordon and taints (a heartbeat alone changes none). */
function nodeView(node: KubeObject | null): string {
  if (!node) return "";
  return JSON.stringify([getCondition(node, "Ready")?.status ?? "", specOf(node).unschedulable ?? false, specOf(node).taints ?? []]);
}

/** What the controllers read of a VMI: its migration state, phase, node and eviction strategy. */
function vmiView(vmi: KubeObject | null): string {
  if (!vmi) return "";
  const status = statusOf(vmi);
  return JSON.stringify([status.migrationState ?? null, status.phase ?? "", status.nodeName ?? "", specOf(vmi).evictionStrategy ?? ""]);
}

/**
 * The keys a change enqueues: every migration change (both controllers: a
 * finished migration frees a slot); a VMI change the controllers read; a
 * Node whose readiness, cordon or taints changed. A resync (`type`
 * undefined, `prev` null) enqueues only for work in flight.
 */
export function migrationKeys(obj: KubeObject, prev: KubeObject | null, type?: EventType): ReconcileKey[] {
  const resync = type === undefined;
  if (obj.kind === MIGRATION) return [MIGRATION_KEY, EVACUATION_KEY];
  if (obj.kind === VMI) {
    if (resync) return isStateActive(migrationStateOf(obj)) ? [MIGRATION_KEY] : [];
    return type === "DELETED" || vmiView(obj) !== vmiView(prev) ? [MIGRATION_KEY, EVACUATION_KEY] : [];
  }
  if (obj.kind === "Node") {
    if (resync) return specOf(obj).unschedulable === true || Array.isArray(specOf(obj).taints) ? [EVACUATION_KEY] : [];
    return nodeView(obj) !== nodeView(prev) ? [MIGRATION_KEY, EVACUATION_KEY] : [];
  }
  return [];
}

/** Whether a kind's collection resyncs these keys (migrations; VMIs and Nodes already resync). */
export function isMigrationKind(kind: string): boolean {
  return kind === MIGRATION;
}
