/**
 * @module
 * The status an unplaced pod or VMI gets: PodScheduled=False with the
 * scheduler's reason and message (the scheduler's updatePod after a
 * FitError), and for a VMI also phase Scheduling — what virt-controller
 * shows once the launcher pod exists but cannot be scheduled, and what
 * makes the VM's printableStatus ErrorUnschedulable.
 */
import type { Json, JsonObject } from "../../../shared/k8s/object";
import { updatePodCondition } from "../shared/conditions";
import { statusOf } from "../shared/object-fields";
import type { Unplaced } from "./scheduler-plan";
import { withVMIPhase } from "../shared/vmi-phase";

/** The new status of `u.obj`, or undefined when it already says the same (no write, no event). */
export function unplacedStatus(u: Unplaced, stamp: string): JsonObject | undefined {
  const status = statusOf(u.obj);
  const conditions: Json[] = Array.isArray(status.conditions) ? status.conditions : [];
  const cond = updatePodCondition(conditions, { type: "PodScheduled", status: "False", reason: u.reason, message: u.message }, stamp);
  if (u.obj.kind !== "VirtualMachineInstance") return cond.changed ? { ...status, conditions: cond.conditions } : undefined;
  const phased = status.phase === "Scheduling" ? status : withVMIPhase(status, "Scheduling", stamp);
  if (!cond.changed && phased === status) return undefined;
  return { ...phased, conditions: cond.conditions };
}
