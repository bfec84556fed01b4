/**
 * @module
 * Typed reads of a migration and of the VMI's `status.migrationState`, shared
 * by the migration and evacuation controllers, the scheduler (an active
 * migration holds capacity on its target) and the report fold.
 */
import { isJsonObject, type KubeObject } from "../../../shared/k8s/object";
import type { MigrationState } from "../../../shared/schemas";
import { phaseOf, specOf, statusOf, stringField } from "../shared/object-fields";

/** KubeVirt's finalizer on a migration, removed once the VMI no longer depends on it (`migrationJobFinalize`). */
export const MIGRATION_FINALIZER = "kubevirt.io/migrationJobFinalize";

/** The phases after which a migration does nothing more. */
export const FINAL_MIGRATION_PHASES: ReadonlySet<string> = new Set(["Succeeded", "Failed"]);

/** A VMI's `status.migrationState` (empty when it has none). */
export function migrationStateOf(vmi: KubeObject | undefined): MigrationState {
  const state = statusOf(vmi).migrationState;
  return isJsonObject(state) ? (state as MigrationState) : {};
}

/** The VMI a migration names. */
export function vmiNameOf(migration: KubeObject): string {
  return stringField(specOf(migration), "vmiName");
}

/** Whether a migration reached Succeeded or Failed. */
export function isMigrationFinal(migration: KubeObject): boolean {
  return FINAL_MIGRATION_PHASES.has(phaseOf(migration));
}

/** The VMI's migration neither completed nor failed: it may still hand over (`!Completed && !Failed` in the admitter). */
export function isStateActive(state: MigrationState): boolean {
  return (state.migrationUid ?? "") !== "" && state.completed !== true && state.failed !== true;
}

/**
 * The node an in-flight migration of `vmi` reserves capacity on: its target,
 * from the moment the controller hands it over until the VMI runs there (then
 * the VMI's own binding counts) or the migration fails.
 */
export function migrationTargetOf(vmi: KubeObject): string {
  const state = migrationStateOf(vmi);
  const target = state.targetNode ?? "";
  if (target === "" || state.failed === true) return "";
  return stringField(statusOf(vmi), "nodeName") === target ? "" : target;
}
