/**
 * @module
 * kube-scheduler's metrics for the scheduling passes: each pod or VMI a pass
 * tried, by result (`scheduled`, `unschedulable`, `error`), and for each one
 * bound, the time from its creation to the binding (upstream times from
 * entering the scheduling queue, which is its creation here: the queue is
 * the collection itself).
 */
import type { KubeObject } from "../../shared/k8s/object";
import { addCounter, observe } from "./accumulator";
import { POD_SCHEDULING_DURATION, SCHEDULE_ATTEMPTS } from "./definitions";
import { armFlush } from "./flush";

/** kube-scheduler's default profile, the only one. */
const PROFILE = "default-scheduler";

/** The result of one attempt to place one object. */
export type ScheduleResult = "scheduled" | "unschedulable" | "error";

/** Counts one attempt; a `scheduled` one also records how long the object waited since its creation. */
export function recordScheduleAttempt(result: ScheduleResult, obj: KubeObject, now = Date.now()): void {
  addCounter(SCHEDULE_ATTEMPTS, [["result", result], ["profile", PROFILE]]);
  const created = Date.parse(obj.metadata.creationTimestamp ?? "");
  if (result === "scheduled" && Number.isFinite(created)) {
    observe(POD_SCHEDULING_DURATION, [], Math.max(0, (now - created) / 1000));
  }
  armFlush();
}
