/**
 * @module
 * The dashboard's writes, each the request kubectl or virtctl would send.
 */
import { request } from "./client";
import { type Kind, objectPath } from "./kinds";

const SUBRESOURCES = "/apis/subresources.kubevirt.io/v1/namespaces";

/** virtctl's start / stop / restart of a VM (PUT on the VM's subresource, 202). */
export type VmVerb = "start" | "stop" | "restart";
/** virtctl's pause / unpause of a VMI. */
export type VmiVerb = "pause" | "unpause";

/** Starts, stops or restarts a VM. */
export function vmAction(namespace: string, name: string, verb: VmVerb): Promise<unknown> {
  return request("PUT", `${SUBRESOURCES}/${encodeURIComponent(namespace)}/virtualmachines/${encodeURIComponent(name)}/${verb}`, {});
}

/** Pauses or unpauses a VMI. */
export function vmiAction(namespace: string, name: string, verb: VmiVerb): Promise<unknown> {
  return request("PUT", `${SUBRESOURCES}/${encodeURIComponent(namespace)}/virtualmachineinstances/${encodeURIComponent(name)}/${verb}`, {});
}

/** `kubectl scale`: a merge patch of spec.replicas. */
export function scale(kind: Kind, namespace: string, name: string, replicas: number): Promise<unknown> {
  return request("PATCH", objectPath(kind, name, namespace), { spec: { replicas } }, "application/merge-patch+json");
}

/** `kubectl delete`. */
export function remove(kind: Kind, name: string, namespace?: string): Promise<unknown> {
  return request("DELETE", objectPath(kind, name, namespace));
}

/** `kubectl cordon` / `uncordon`: spec.unschedulable. */
export function cordon(node: string, unschedulable: boolean): Promise<unknown> {
  return request("PATCH", `/api/v1/nodes/${encodeURIComponent(node)}`, { spec: { unschedulable } }, "application/merge-patch+json");
}

/** Server-side apply of an edited manifest (`kubectl apply --server-side --field-manager duraplane-ui`). */
export function apply(kind: Kind, name: string, namespace: string | undefined, yaml: string, force: boolean): Promise<unknown> {
  return request("PATCH", `${objectPath(kind, name, namespace)}?fieldManager=duraplane-ui${force ? "&force=true" : ""}`, yaml, "application/apply-patch+yaml");
}
