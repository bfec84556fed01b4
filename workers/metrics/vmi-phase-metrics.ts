/**
 * @module
 * KubeVirt's `kubevirt_vmi_phase_transition_time_from_creation_seconds`:
 * each time a VMI's `status.phaseTransitionTimestamps` gains a phase, the
 * time from the VMI's creation to that stamp is observed, labelled by the
 * phase — what virt-controller does on each VMI update its informer sees.
 * Here the changes are the ones every write commits, seen through the change
 * observer (workers/index.ts wraps the controllers' observer with this), so
 * whoever moved the phase — the scheduler, a host's report, a controller —
 * is counted once, in memory, with no read or write of its own.
 */
import { isJsonObject, type KubeObject } from "../../shared/k8s/object";
import type { ChangeObserver } from "../objects/change-observer";
import type { EventType } from "../objects/collection-store";
import { observe } from "./accumulator";
import { VMI_PHASE_TRANSITION_FROM_CREATION } from "./definitions";
import { armFlush } from "./flush";

/** The phase → stamp entries of a VMI's phaseTransitionTimestamps. */
function phaseStamps(obj: KubeObject | null): Map<string, string> {
  const stamps = new Map<string, string>();
  const status = obj?.status;
  if (!isJsonObject(status) || !Array.isArray(status.phaseTransitionTimestamps)) return stamps;
  for (const t of status.phaseTransitionTimestamps) {
    if (isJsonObject(t) && typeof t.phase === "string" && typeof t.phaseTransitionTimestamp === "string") stamps.set(t.phase, t.phaseTransitionTimestamp);
  }
  return stamps;
}

function isVMI(obj: KubeObject): boolean {
  return obj.kind === "VirtualMachineInstance" && obj.apiVersion.startsWith("kubevirt.io/");
}

/** Observes the phases a committed change of a VMI added to its transition stamps. */
export function observeVMIPhaseTransitions(obj: KubeObject, prev: KubeObject | null, type: EventType): void {
  if (type === "DELETED" || !isVMI(obj)) return;
  const created = Date.parse(obj.metadata.creationTimestamp ?? "");
  if (!Number.isFinite(created)) return;
  const before = phaseStamps(prev);
  let observed = false;
  for (const [phase, stamp] of phaseStamps(obj)) {
    const at = Date.parse(stamp);
    if (before.has(phase) || !Number.isFinite(at)) continue;
    observe(VMI_PHASE_TRANSITION_FROM_CREATION, [["phase", phase]], Math.max(0, (at - created) / 1000));
    observed = true;
  }
  if (observed) armFlush();
}

/** `inner`, also observing VMI phase transitions. */
export function withVMIPhaseMetrics(inner: ChangeObserver): ChangeObserver {
  return {
    resyncs: (kind) => inner.resyncs(kind),
    resyncKeys: (objects) => inner.resyncKeys(objects),
    keysForChange(obj, prev, type) {
      observeVMIPhaseTransitions(obj, prev, type);
      return inner.keysForChange(obj, prev, type);
    },
  };
}
