/**
 * @module
 * `__proto__` as a map key. JSON.parse keeps it as an own key, but a plain
 * JavaScript object cannot carry it through a copy, a merge or a schema
 * decode: assigning it sets the object's prototype instead (or is ignored),
 * so the key would vanish from a write that still answered 2xx. Every map
 * that can hold it in our kinds (labels, annotations, nodeSelector, resource
 * lists, …) takes only qualified names upstream, which `__proto__` is not, so
 * it is refused (422) with that rule's message wherever it appears.
 */
import type { StatusCause } from "./errors";
import { invalidValue } from "./field-errors";
import { isQualifiedName } from "./validation";

const PROTO = "__proto__";
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** The field path of a child: `a.b`, `a[0]`. */
function child(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

/** One cause for a `__proto__` key found in the map at `path`. */
export function protoKeyCause(path: string): StatusCause {
  return invalidValue(path, PROTO, isQualifiedName(PROTO).join("; "));
}

/**
 * A cause for every map under `value` (at field path `path`) that has an own
 * `__proto__` key. Iterative, so input as deep as the nesting limit allows
 * costs no stack.
 */
export function protoKeyCauses(value: unknown, path = ""): StatusCause[] {
  const causes: StatusCause[] = [];
  const stack: [unknown, string][] = [[value, path]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, p] = next;
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, child(p, i)]));
    } else if (typeof v === "object" && v !== null) {
      if (hasOwn(v, PROTO)) causes.push(protoKeyCause(p));
      for (const k of Object.keys(v)) stack.push([(v as Record<string, unknown>)[k], child(p, k)]);
    }
  }
  return causes;
}

/** The field path a JSON pointer names (`/metadata/labels/a~1b` → `metadata.labels.a/b`), digits as indexes. */
export function pointerToFieldPath(pointer: string): string {
  let path = "";
  for (const raw of pointer.split("/").slice(1)) {
    const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    path = /^(0|[1-9]\d*)$/.test(token) ? child(path, Number(token)) : child(path, token);
  }
  return path;
}
