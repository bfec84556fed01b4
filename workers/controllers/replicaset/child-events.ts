/**
 * @module
 * The Events the shared replica core records on its owner, in each
 * upstream's words: Kubernetes' RealPodControl (pkg/controller
 * controller_utils.go) for a ReplicaSet's Pods, KubeVirt's virt-controller
 * replicaset.go for a VMIRS's VMIs. Reasons are the same in both.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { kindByResource } from "../../registry";

/** Reason and message wording for one child kind, plus the recorder's source component. */
export interface ChildEvents {
  component: string;
  /** `SuccessfulCreate`. */
  created(child: KubeObject): string;
  /** `SuccessfulDelete` for a surplus child. */
  deleted(child: KubeObject): string;
  /** `SuccessfulDelete` for a finished child being replaced (only VMIs finish). */
  deletedFinished(child: KubeObject): string;
  /** `FailedCreate` (Warning). */
  failedCreate(err: string): string;
  /** `FailedDelete` (Warning). */
  failedDelete(child: KubeObject, err: string): string;
}

const name = (child: KubeObject): string => child.metadata.name ?? "";
const uid = (child: KubeObject): string => child.metadata.uid ?? "";

const podEvents: ChildEvents = {
  component: "replicaset-controller",
  created: (child) => `Created pod: ${name(child)}`,
  deleted: (child) => `Deleted pod: ${name(child)}`,
  deletedFinished: (child) => `Deleted pod: ${name(child)}`,
  failedCreate: (err) => `Error creating: ${err}`,
  failedDelete: (_child, err) => `Error deleting: ${err}`,
};

const vmiEvents: ChildEvents = {
  component: "virtualmachinereplicaset-controller",
  created: (child) => `Started the virtual machine by creating the new virtual machine instance ${name(child)}`,
  deleted: (child) => `Stopped the virtual machine by deleting the virtual machine instance ${uid(child)}`,
  deletedFinished: (child) => `Deleted finished virtual machine: ${uid(child)}`,
  failedCreate: (err) => `Error creating virtual machine instance: ${err}`,
  failedDelete: (child, err) => `Error deleting virtual machine instance ${name(child)}: ${err}`,
};

const vmEvents: ChildEvents = {
  component: "virtualmachinepool-controller",
  created: (child) => `Created VM ${child.metadata.namespace ?? ""}/${name(child)}`,
  deleted: (child) => `Deleted VM ${child.metadata.namespace ?? ""}/${name(child)}`,
  deletedFinished: (child) => `Deleted VM ${child.metadata.namespace ?? ""}/${name(child)}`,
  failedCreate: (err) => `Error creating VM: ${err}`,
  failedDelete: (child, err) => `Error deleting VM ${child.metadata.namespace ?? ""}/${name(child)}: ${err}`,
};

/** The wording for children stored under `childResource` (Pods unless VMIs or a pool's VMs). */
export function childEvents(childResource: string): ChildEvents {
  const kind = kindByResource(childResource)?.kind;
  if (kind === "VirtualMachineInstance") return vmiEvents;
  if (kind === "VirtualMachine") return vmEvents;
  return podEvents;
}
