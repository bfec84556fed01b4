/**
 * @module
 * A VMI's phase bookkeeping: KubeVirt keeps one `phaseTransitionTimestamps`
 * entry per distinct phase, stamped when the phase is first entered
 * (`SetVMIPhaseTransitionTimestamp`, pkg/controller/controller.go).
 */
import { isJsonObject, type Json, type JsonObject } from "../../../shared/k8s/object";

/** `status` moved to `phase`, with the transition recorded once (a phase entered again keeps its first stamp). */
export function withVMIPhase(status: JsonObject, phase: string, stamp: string): JsonObject {
  const stamps: Json[] = Array.isArray(status.phaseTransitionTimestamps) ? [...status.phaseTransitionTimestamps] : [];
  if (status.phase !== phase && !stamps.some((t) => isJsonObject(t) && t.phase === phase)) {
    stamps.push({ phase, phaseTransitionTimestamp: stamp });
  }
  return stamps.length > 0 ? { ...status, phase, phaseTransitionTimestamps: stamps } : { ...status, phase };
}
