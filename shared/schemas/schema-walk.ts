/**
 * @module
 * Walks a JSON value alongside the zod schema that describes it. Decoding
 * needs this three times: to drop nulls as Go's JSON decoder does for
 * pointers, to find the fields the schema would strip (strict field
 * validation) and to print issue paths the way upstream does.
 */
import { z } from "zod";

type Schema = z.core.$ZodType;

/** Peels optional/nullable/default/lazy/pipe wrappers off a schema. */
export function unwrapSchema(schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 32; i++) {
    if (
      s instanceof z.ZodOptional ||
      s instanceof z.ZodNullable ||
      s instanceof z.ZodDefault ||
      s instanceof z.ZodPrefault ||
      s instanceof z.ZodCatch ||
      s instanceof z.ZodReadonly ||
      s instanceof z.ZodNonOptional ||
      s instanceof z.ZodLazy
    ) {
      s = s.unwrap();
    } else if (s instanceof z.ZodPipe) {
      s = s.in;
    } else {
      return s;
    }
  }
  return s;
}

/** True for schemas that accept anything as is (the leaves of free-form sub-trees). */
export function isOpaque(schema: Schema): boolean {
  const s = unwrapSchema(schema);
  return s instanceof z.ZodUnknown || s instanceof z.ZodAny;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Defines `obj[key]` as an own property even for `__proto__`. */
function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Drops `null` members of typed objects and maps, as decoding JSON into Go
 * pointers leaves them unset. Free-form values (`z.unknown()`) keep their
 * nulls, as an `unstructured` map does upstream.
 */
export function stripNulls(schema: Schema, value: unknown): unknown {
  const s = unwrapSchema(schema);
  if (isOpaque(s)) return value;
  if (s instanceof z.ZodObject && isPlainObject(value)) {
    const shape = s.shape as Record<string, Schema>;
    const catchall = s._zod.def.catchall;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const member = Object.hasOwn(shape, k) ? shape[k] : catchall;
      // A declared field set to null is unset; an undeclared one stays so strict decoding still sees it.
      if (v === null && Object.hasOwn(shape, k)) continue;
      put(out, k, member ? stripNulls(member, v) : v);
    }
    return out;
  }
  if (s instanceof z.ZodRecord && isPlainObject(value)) {
    const valueType = s.valueType as Schema;
    const keepNull = isOpaque(valueType);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null && !keepNull) continue;
      put(out, k, stripNulls(valueType, v));
    }
    return out;
  }
  if (s instanceof z.ZodArray && Array.isArray(value)) {
    return value.map((v) => stripNulls(s.element as Schema, v));
  }
  return value;
}

/** Appends a member name to a field path (`spec` + `containers` → `spec.containers`). */
function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Paths of the members the schema does not declare, in document order, as
 * upstream's strict decoder reports them: `spec.containers[0].foo`.
 */
export function unknownFieldPaths(schema: Schema, value: unknown, path = ""): string[] {
  const s = unwrapSchema(schema);
  const found: string[] = [];
  if (s instanceof z.ZodObject && isPlainObject(value)) {
    const shape = s.shape as Record<string, Schema>;
    const catchall = s._zod.def.catchall;
    for (const [k, v] of Object.entries(value)) {
      const childSchema = Object.hasOwn(shape, k) ? shape[k] : catchall;
      if (!childSchema) {
        found.push(child(path, k));
      } else {
        found.push(...unknownFieldPaths(childSchema, v, child(path, k)));
      }
    }
  } else if (s instanceof z.ZodRecord && isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      found.push(...unknownFieldPaths(s.valueType as Schema, v, child(path, k)));
    }
  } else if (s instanceof z.ZodArray && Array.isArray(value)) {
    value.forEach((v, i) => found.push(...unknownFieldPaths(s.element as Schema, v, `${path}[${i}]`)));
  }
  return found;
}

/** How map keys print in field paths: `limits[cpu]` (built-in types) or `limits.cpu` (CRDs). */
export type MapKeyStyle = "subscript" | "member";

/**
 * Formats a zod issue path as an upstream field path: members joined by `.`,
 * list indices as `[i]`, map keys as `[key]` or `.key` per `style`.
 */
export function formatFieldPath(schema: Schema, path: readonly PropertyKey[], style: MapKeyStyle): string {
  let out = "";
  let s: Schema | undefined = schema;
  for (const seg of path) {
    const u: Schema | undefined = s ? unwrapSchema(s) : undefined;
    if (typeof seg === "number") {
      out += `[${seg}]`;
      s = u instanceof z.ZodArray ? (u.element as Schema) : undefined;
    } else if (u instanceof z.ZodRecord) {
      out = style === "subscript" ? `${out}[${String(seg)}]` : child(out, String(seg));
      s = u.valueType as Schema;
    } else {
      out = child(out, String(seg));
      s = u instanceof z.ZodObject ? (u.shape as Record<string, Schema>)[String(seg)] : undefined;
    }
  }
  return out;
}
