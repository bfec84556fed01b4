/**
 * @module
 * `bind`: assigns a Pod or a VirtualMachineInstance to a Node in the
 * object's own store, so the check ("not yet bound, not deleting") and the
 * write are one atomic step with one resourceVersion and one watch event —
 * upstream's `pods/binding` (pkg/registry/core/pod/storage/storage.go
 * assignPod), which updates the pod inside one GuaranteedUpdate.
 *
 * A Pod gets `spec.nodeName` and PodScheduled=True. A VMI gets what
 * virt-controller writes once its launcher pod is scheduled: `status.nodeName`,
 * the `kubevirt.io/nodeName` label (host agents watch their VMIs by it),
 * phase Scheduled (passing through Scheduling, each stamped once),
 * PodScheduled=True, and the finalizer that keeps the VMI until its host
 * reports it stopped.
 */
import { VMI_NODE_NAME_LABEL } from "../../shared/hosts/constants";
import { badRequest, conflict, invalid, type ResourceRef } from "../../shared/k8s/errors";
import { deepCopy, isJsonObject, type Json, type JsonObject, type KubeObject } from "../../shared/k8s/object";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { invalidValue, isDNS1123Subdomain, required } from "../../shared/k8s/validation";
import { updatePodCondition } from "../controllers/shared/conditions";
import { withVMIPhase } from "../controllers/shared/vmi-phase";
import { VMI_HOST_FINALIZER } from "../../shared/hosts/constants";
import { refOf } from "./write-rules";
import { checkPreconditions, type Preconditions } from "./preconditions";
import { formatTime } from "../../shared/k8s/time";
import { isTerminal } from "./terminal";

/** Binds the object to `node` (a Pod's `pods/binding`, a VMI's scheduling). */
export interface BindOp {
  verb: "bind";
  node: string;
  /** The Binding's metadata.uid / resourceVersion, honoured as upstream's storage preconditions. */
  preconditions?: Preconditions;
}

/** The resource upstream names in a refused binding (`NewConflict(api.Resource("pods/binding"), …)`). */
const POD_BINDING: ResourceRef = { group: "", resource: "pods/binding" };

const VMI_REF: ResourceRef = { group: "kubevirt.io", resource: "virtualmachineinstances" };
const VMI_UNSCHEDULED = new Set(["", "Pending", "Scheduling"]);

function checkNode(node: string, name: string): void {
  if (node === "") throw invalid("Binding", name, [required("target.name")]);
  const errs = isDNS1123Subdomain(node);
  // A node name that is not a subdomain would make every later update of the pod invalid.
  if (errs.length > 0) throw invalid("Binding", name, [invalidValue("target.name", node, errs.join("; "))]);
}

function conditionsOf(status: JsonObject): Json[] {
  return Array.isArray(status.conditions) ? status.conditions : [];
}

function statusOf(obj: KubeObject): JsonObject {
  return isJsonObject(obj.status) ? obj.status : {};
}

/** assignPod / setPodNodeAndMetadata: refuse a deleting, bound or gated pod; set nodeName and PodScheduled. */
export function bindPod(current: KubeObject, node: string, stamp: string): KubeObject {
  const name = current.metadata.name ?? "";
  const spec = isJsonObject(current.spec) ? current.spec : {};
  if (current.metadata.deletionTimestamp) {
    throw conflict(POD_BINDING, name, `pod ${name} is being deleted, cannot be assigned to a host`);
  }
  if (typeof spec.nodeName === "string" && spec.nodeName !== "") {
    throw conflict(POD_BINDING, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
  }
  if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0) {
    throw conflict(POD_BINDING, name, `pod ${name} has non-empty .spec.schedulingGates`);
  }
  const next = deepCopy(current);
  next.spec = { ...spec, nodeName: node };
  const status = statusOf(next);
  next.status = { ...status, conditions: updatePodCondition(conditionsOf(status), { type: "PodScheduled", status: "True" }, stamp).conditions };
  return next;
}

/** virt-controller's Scheduled transition, refused when the VMI is bound elsewhere, final, deleting or past scheduling. */
export function bindVMI(current: KubeObject, node: string, stamp: string): KubeObject {
  const name = current.metadata.name ?? "";
  const status = statusOf(current);
  const bound = typeof status.nodeName === "string" ? status.nodeName : "";
  const phase = typeof status.phase === "string" ? status.phase : "";
  const refuse = (why: string) => conflict(VMI_REF, name, why);
  if (current.metadata.deletionTimestamp) throw refuse(`vmi ${name} is being deleted, cannot be assigned to a host`);
  if (isTerminal(current)) throw refuse(`vmi ${name} is in phase ${phase}, cannot be assigned to a host`);
  if (bound === node) return current; // already done: binding again is a no-op
  if (bound !== "") throw refuse(`vmi ${name} is already assigned to node "${bound}"`);
  if (!VMI_UNSCHEDULED.has(phase)) throw refuse(`vmi ${name} is in phase ${phase}, cannot be assigned to a host`);
  const next = deepCopy(current);
  next.metadata.labels = { ...(next.metadata.labels ?? {}), [VMI_NODE_NAME_LABEL]: node };
  const finalizers = next.metadata.finalizers ?? [];
  if (!finalizers.includes(VMI_HOST_FINALIZER)) next.metadata.finalizers = [...finalizers, VMI_HOST_FINALIZER];
  const phased = withVMIPhase(withVMIPhase(status, "Scheduling", stamp), "Scheduled", stamp);
  const scheduled = updatePodCondition(conditionsOf(status), { type: "PodScheduled", status: "True" }, stamp);
  next.status = { ...phased, nodeName: node, conditions: scheduled.conditions };
  return next;
}

/** The next state of `current` after binding it to `op.node` (throws 409/422 per the rules above). */
export function planBind(kind: ResourceKind, current: KubeObject, op: BindOp, now: number): KubeObject {
  const name = current.metadata.name ?? "";
  checkNode(op.node, name);
  checkPreconditions(refOf(kind), current, op.preconditions);
  const stamp = formatTime(now);
  if (!kind.bind) throw badRequest(`${kind.plural} cannot be bound to a node`);
  return kind.bind(current, op.node, stamp);
}
