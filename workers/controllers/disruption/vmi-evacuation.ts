/**
 * @module
 * VMIs on a host taken out for maintenance. Upstream, `kubectl drain`
 * evicts a VMI's virt-launcher pod and KubeVirt's eviction webhook and
 * evacuation controller act on it by the VMI's `spec.evictionStrategy`. Here
 * VMIs have no launcher pods for drain to evict, so the node lifecycle
 * controller calls this for a cordoned Node (`spec.unschedulable`, the
 * first thing drain does):
 * - `None`: the VMI is deleted, so its VirtualMachine (or VMIRS) starts it
 *   again on another host;
 * - `LiveMigrate` (the default here), and `LiveMigrateIfPossible` while the
 *   VMI is migratable: left running here; the evacuation controller
 *   (workers/controllers/evacuation/) live migrates them, and drain does not
 *   wait for it;
 * - `LiveMigrateIfPossible` on a VMI its host reported not migratable
 *   (`LiveMigratable=False`): deleted as for `None`, as KubeVirt evicts it;
 * - `External`: left to whoever set it, as KubeVirt does.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { isConflict, isNotFound } from "../../client/errors";
import { writeObject } from "../../objects/client";
import { objectRefOf } from "../../registry";
import { recordEvent } from "../shared/events";
import { isDeleting, specOf } from "../shared/object-fields";
import { isMigratable } from "../evacuation/evacuation-plan";

/** The evictionStrategy a VMI without one gets (KubeVirt's cluster-wide default is configurable; here LiveMigrate). */
export const DEFAULT_EVICTION_STRATEGY = "LiveMigrate";

/** What evacuating one VMI means: deleted here, live migrated by the evacuation controller, or left alone. */
export type EvacuationAction = "delete" | "migrate" | "leave";

/** What a cordoned host does with a VMI, by its evictionStrategy. */
export function evacuationAction(vmi: KubeObject): EvacuationAction {
  const raw = specOf(vmi).evictionStrategy;
  const strategy = typeof raw === "string" ? raw : DEFAULT_EVICTION_STRATEGY;
  switch (strategy) {
    case "None":
      return "delete";
    case "LiveMigrateIfPossible":
      return isMigratable(vmi) ? "migrate" : "delete";
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
    // "migrate" is the evacuation controller's to do; "leave" is nobody's here.
    if (evacuationAction(vmi) !== "delete") continue;
    const [reason, why] = specOf(vmi).evictionStrategy === "None"
      ? ["EvictionStrategyNone", "its evictionStrategy is None"]
      : ["NotLiveMigratable", "it cannot be live migrated (LiveMigratable=False)"];
    await recordEvent(env, vmi, "Normal", reason, `Deleting VirtualMachineInstance: node ${node} is cordoned for maintenance and ${why}`, "virt-controller");
    try {
      await writeObject(env, objectRefOf(vmi), { verb: "delete", options: { preconditions: { uid: vmi.metadata.uid ?? "" } } });
    } catch (err) {
      if (!(isNotFound(err) || isConflict(err))) throw err;
    }
  }
}
