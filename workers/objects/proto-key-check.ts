/**
 * @module
 * Refuses a write whose input would set a `__proto__` map key (see
 * shared/k8s/proto-keys.ts): found in the body of a create, update or apply,
 * in a merge or strategic merge patch (whose paths are the object's), and in
 * a JSON patch's `path` or `value` — before anything is applied, so a patch
 * cannot turn the key into a prototype on its way to the decoder.
 */
import { invalid, type StatusCause } from "../../shared/k8s/errors";
import { isJsonObject } from "../../shared/k8s/object";
import { pointerToFieldPath, protoKeyCause, protoKeyCauses } from "../../shared/k8s/proto-keys";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import type { ObjectOp } from "./object-ops";

function jsonPatchCauses(operations: unknown): StatusCause[] {
  if (!Array.isArray(operations)) return [];
  const causes: StatusCause[] = [];
  for (const op of operations) {
    if (!isJsonObject(op)) continue;
    const path = typeof op["path"] === "string" ? op["path"] : "";
    const segments = path.split("/");
    const at = segments.indexOf("__proto__");
    if (at > 0) causes.push(protoKeyCause(pointerToFieldPath(segments.slice(0, at).join("/"))));
    causes.push(...protoKeyCauses(op["value"], pointerToFieldPath(path)));
  }
  return causes;
}

function causesOf(op: ObjectOp): StatusCause[] {
  switch (op.verb) {
    case "create":
    case "update":
      return protoKeyCauses(op.input);
    case "apply":
      return protoKeyCauses(op.applied);
    case "patch":
      return op.patchType === "json" ? jsonPatchCauses(op.patch) : protoKeyCauses(op.patch);
    default:
      return [];
  }
}

/** @throws ApiError 422 naming every map of the input with a `__proto__` key. */
export function refuseProtoKeys(kind: ResourceKind, name: string, op: ObjectOp): void {
  const causes = causesOf(op);
  if (causes.length > 0) throw invalid(kind.kind, name, causes, kind.group);
}
