/**
 * @module
 * "Write status only if it changed": equality as the Go controllers see it
 * after decoding into typed structs, where an absent field and its zero value
 * are the same, and `equality.Semantic.DeepEqual` treats nil and empty
 * slices and maps alike.
 */
import { jsonEqual } from "../../../shared/k8s/json-value";
import { isJsonObject, type Json } from "../../../shared/k8s/object";

function isZero(v: Json): boolean {
  if (v === null || v === 0 || v === "" || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isJsonObject(v) && Object.keys(v).length === 0;
}

/** Drops zero-valued members, depth first, so `{a: {b: 0}}` and `{}` compare equal. */
function normalize(value: unknown): Json {
  if (Array.isArray(value)) return value.map(normalize);
  if (isJsonObject(value)) {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const n = normalize(v);
      if (!isZero(n)) out[k] = n;
    }
    return out;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return null;
}

/**
 * True when two statuses are semantically equal: upstream's skip-the-write
 * check (`updateReplicaSetStatus` comparing counts, observedGeneration and
 * conditions; KubeVirt's `equality.Semantic.DeepEqual(vm.Status, …)`).
 * @example statusEqual({ replicas: 0, conditions: [] }, {}) // true
 */
export function statusEqual(a: unknown, b: unknown): boolean {
  return jsonEqual(normalize(a ?? {}), normalize(b ?? {}));
}
