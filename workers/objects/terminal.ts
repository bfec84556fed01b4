/**
 * @module
 * Succeeded and Failed: the phases a Pod or VMI never leaves (upstream
 * `podutil.IsPodTerminal`, KubeVirt `vmi.IsFinal`).
 */
import { isJsonObject, type KubeObject } from "../../shared/k8s/object";

/** The object's `status.phase`, "" when it has none. */
export function phaseOf(obj: KubeObject): string {
  return isJsonObject(obj.status) && typeof obj.status.phase === "string" ? obj.status.phase : "";
}

/** True when a pod or VMI reached Succeeded or Failed. */
export function isTerminal(obj: KubeObject): boolean {
  const phase = phaseOf(obj);
  return phase === "Succeeded" || phase === "Failed";
}
