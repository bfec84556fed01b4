/**
 * @module
 * VMIs on a host taken out for maintenance. Upstream, `kubectl drain`
 * evicts a VMI's virt-launcher pod and KubeVirt's eviction webhook and
 * evacuation controller act on it by the VMI's `spec.evictionStrategy`. Here
 * VMIs have no launcher pods for drain to evict, so the node lifecycle
 * controller calls this for a cordoned Node (`spec.unschedulable`, the
 * first thing drain does):
 * - `None` (and `LiveMigrateIfPossible` until live migration exists): the VMI
 *   is deleted, so its VirtualMachine (or VMIRS) starts it again on another host;
 * - `LiveMigrate` (the default here): left running, to be migrated by
 *   {@link LiveMigrator} once live migration lands — drain does not wait for it;
 * - `External`: left to whoever set it, as KubeVirt does.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { isConflict, isNotFound } from "../../client/errors";
import { writeObject } from "../../objects/client";
import { objectRefOf } from "../../registry";
import { recordEvent } from "../shared/events";
import { isDeleting, specOf } from "../shared/object-fields";

/** The evictionStrategy a VMI without one gets (KubeVirt's cluster-wide default is configurable; here LiveMigrate). */
export const DEFAULT_EVICTION_STRATEGY = "LiveMigrate";

/** What evacuating one VMI means. */
export type EvacuationAction = "delete" | "migrate" | "leave";

/**
 * The seam live migration fills: starts moving `vmi` off `node` and says
 * whether it did. Until then none is registered and LiveMigrate VMIs stay.
 */
export type LiveMigrator = (env: Env, vmi: KubeObject, node: string) => Promise<boolean>;

let liveMigrator: LiveMigrator | undefined;

/** Registers the live migration seam (called once at wiring time by the migration controller). */
export function registerLiveMigrator(m: LiveMigrator): void {
  liveMigrator = m;
}

/** What a cordoned host does with a VMI, by its evictionStrategy. */
export function evacuationAction(vmi: KubeObject): EvacuationAction {
  const raw = specOf(vmi).evictionStrategy;
  const strategy = typeof raw === "string" ? raw : DEFAULT_EVICTION_STRATEGY;
  switch (strategy) {
    case "None":
      return "delete";
    case "LiveMigrateIfPossible":
      return liveMigrator ? "migrate" : "delete";
    case "LiveMigrate":
      return "migrate";
    default:
      return "leave";
  }
}

/** Evacuates the VMIs bound to a cordoned `node` (those already going are left alone). */
export async function evacuateVMIs(env: Env, node: string, vmis: readonly KubeObject[]): Promise<void> {
  for (const vmi of vmis) {
    if (isDeleting(vmi)) continue;
    const action = evacuationAction(vmi);
    if (action === "migrate" && liveMigrator) {
      await liveMigrator(env, vmi, node);
      continue;
    }
    if (action !== "delete") continue;
    await recordEvent(env, vmi, "Normal", "EvictionStrategyNone", `Deleting VirtualMachineInstance: node ${node} is cordoned for maintenance`, "virt-controller");
    try {
      await writeObject(env, objectRefOf(vmi), { verb: "delete", options: { preconditions: { uid: vmi.metadata.uid ?? "" } } });
    } catch (err) {
      if (!(isNotFound(err) || isConflict(err))) throw err;
    }
  }
}
