/**
 * @module
 * `status.stateChangeRequests` of a VirtualMachine: the queued Start/Stop
 * requests the subresources write and the controller consumes one at a time
 * (KubeVirt `watch/vm/vm.go` hasStartRequest, hasStopRequestForVMI,
 * isTrimFirstChangeRequestNeeded).
 */
import { isJsonObject, type JsonObject, type KubeObject } from "../../../shared/k8s/object";
import { isDeleting, statusOf } from "../shared/object-fields";
import { isVMIFinal } from "../replicaset/vmi-policy";

/** `v1.VirtualMachineStateChangeRequest`. */
export interface StateChangeRequest {
  action: string;
  data?: Record<string, string>;
  uid?: string;
}

/** `status.stateChangeRequests`, as stored (entries without an action are kept but never match). */
export function stateChangeRequestsOf(vm: KubeObject): JsonObject[] {
  const reqs = statusOf(vm).stateChangeRequests;
  return Array.isArray(reqs) ? reqs.filter(isJsonObject) : [];
}

/** The first queued state change request, if any. */
export function firstStateChangeRequest(vm: KubeObject): StateChangeRequest | undefined {
  const first = stateChangeRequestsOf(vm)[0];
  if (first === undefined || typeof first.action !== "string") return undefined;
  const out: StateChangeRequest = { action: first.action };
  if (typeof first.uid === "string") out.uid = first.uid;
  if (isJsonObject(first.data)) out.data = first.data as Record<string, string>;
  return out;
}

/** `hasStartRequest`: the first queued request is a Start. */
export function hasStartRequest(vm: KubeObject): boolean {
  return firstStateChangeRequest(vm)?.action === "Start";
}

/** `hasStartPausedRequest`: the first queued request is a Start with `data.paused = "true"`. */
export function hasStartPausedRequest(vm: KubeObject): boolean {
  const req = firstStateChangeRequest(vm);
  return req?.action === "Start" && req.data?.paused === "true";
}

/** `hasStopRequestForVMI`: the first queued request is a Stop naming this VMI's UID. */
export function hasStopRequestForVMI(vm: KubeObject, vmi: KubeObject): boolean {
  const req = firstStateChangeRequest(vm);
  return req?.action === "Stop" && req.uid !== undefined && req.uid === vmi.metadata.uid;
}

/**
 * `isTrimFirstChangeRequestNeeded`: whether the first request is done. A Stop
 * is done when there is no VMI, or the VMI is another one (or the request has
 * no UID, which cannot be acted on); a Start is done once a live VMI exists.
 */
export function isTrimFirstChangeRequestNeeded(vm: KubeObject, vmi: KubeObject | undefined): boolean {
  const req = firstStateChangeRequest(vm);
  if (req === undefined) return false;
  if (req.action === "Stop") return vmi === undefined || req.uid === undefined || req.uid !== vmi.metadata.uid;
  if (req.action === "Start") return vmi !== undefined && !isDeleting(vmi) && !isVMIFinal(vmi);
  return false;
}
