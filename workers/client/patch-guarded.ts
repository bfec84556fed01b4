/**
 * @module
 * A JSON patch that applies only to the state it was decided on: `test`
 * operations on the object's resourceVersion and uid come first, so a
 * concurrent change makes it fail (422) instead of being overwritten, as
 * upstream's controllers write with resourceVersion/uid preconditions.
 */
import type { Json, KubeObject } from "../../shared/k8s/object";
import { writeObject, type Written } from "../objects/client";
import type { ObjectOp } from "../objects/object-ops";

/** Which part of the object the patch writes. */
export type PatchSubresource = "" | "status";

/**
 * The patch `ops` guarded by `obj`'s resourceVersion, then its uid. The
 * resourceVersion comes first: a recreated object always has a newer one, so
 * a failed guard names the resourceVersion whichever of the two changed.
 */
export function guardedPatchOp(obj: KubeObject, ops: readonly Json[], subresource: PatchSubresource = ""): ObjectOp {
  const guard: Json[] = [
    { op: "test", path: "/metadata/resourceVersion", value: obj.metadata.resourceVersion ?? "" },
    { op: "test", path: "/metadata/uid", value: obj.metadata.uid ?? "" },
  ];
  return { verb: "patch", patchType: "json", subresource, patch: [...guard, ...ops] };
}

/** Applies {@link guardedPatchOp} to `obj` (of registry key `resource`); a lost race throws 422/409/404 (see isStale). */
export async function patchGuarded(
  env: Env, resource: string, obj: KubeObject, ops: readonly Json[], subresource: PatchSubresource = "",
): Promise<Written> {
  const ref = { resource, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "" };
  return writeObject(env, ref, guardedPatchOp(obj, ops, subresource));
}
