/**
 * @module
 * Whether the stored object is still the one a writer expects: the
 * `preconditions` of a delete or a Binding (upstream's
 * storage.Preconditions.Check) and the resourceVersion of an update
 * (the registry store's optimistic lock). Both answer 409 Conflict.
 */
import { conflict, type ResourceRef } from "../../shared/k8s/errors";
import type { KubeObject } from "../../shared/k8s/object";

/** metav1.Preconditions: the uid and/or resourceVersion the stored object must have (empty: any). */
export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

/** Refuses the write unless `obj` (of resource `ref`) meets `pre`, with upstream's "Precondition failed" messages. */
export function checkPreconditions(ref: ResourceRef, obj: KubeObject, pre: Preconditions | undefined): void {
  const name = obj.metadata.name ?? "";
  if (pre?.uid && pre.uid !== obj.metadata.uid) {
    throw conflict(ref, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid ?? ""}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(
      ref,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ""}`,
    );
  }
}

/** An update's optimistic lock: a non-empty `requested` resourceVersion must be the stored one (upstream's OptimisticLockErrorMsg). */
export function checkResourceVersion(ref: ResourceRef, old: KubeObject, requested: string | undefined): void {
  if (requested && requested !== old.metadata.resourceVersion) {
    throw conflict(ref, old.metadata.name ?? "");
  }
}
