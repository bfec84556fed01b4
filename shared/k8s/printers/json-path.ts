/**
 * @module
 * The JSONPath subset CRD additionalPrinterColumns use, evaluated as
 * client-go's util/jsonpath does with AllowMissingKeys(true) (how
 * apiextensions-apiserver's tableconvertor runs column paths).
 *
 * Supported: `.field`, `[n]` (negative counts from the end) and
 * `[?(@.a.b=='x')]` / `!=` filters with a quoted string literal.
 */
import { isJsonObject } from "../object";

type Step =
  | { kind: "field"; name: string }
  | { kind: "index"; index: number }
  | { kind: "filter"; path: string[]; operator: "==" | "!="; literal: string };

/** A JSONPath evaluation that client-go reports as an error; the column cell becomes null. */
export class JsonPathEvalError extends Error {}

/** A compiled path: every value it selects, in document order; throws JsonPathEvalError where client-go errs. */
export type CompiledJsonPath = (data: unknown) => unknown[];

const FIELD = /^\.([A-Za-z0-9_-]+)/;
const INDEX = /^\[(-?\d+)\]/;
const FILTER = /^\[\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(?:'([^']*)'|"([^"]*)")\)\]/;

/** Parses `path`; throws an Error naming the path for syntax outside the supported subset. */
export function compileJsonPath(path: string): CompiledJsonPath {
  const steps: Step[] = [];
  let rest = path;
  while (rest !== "") {
    let m: RegExpExecArray | null;
    if ((m = FIELD.exec(rest))) {
      steps.push({ kind: "field", name: m[1] ?? "" });
    } else if ((m = INDEX.exec(rest))) {
      steps.push({ kind: "index", index: Number(m[1]) });
    } else if ((m = FILTER.exec(rest))) {
      const operator = m[2] === "!=" ? "!=" : "==";
      steps.push({ kind: "filter", path: (m[1] ?? "").slice(1).split("."), operator, literal: m[3] ?? m[4] ?? "" });
    } else {
      throw new Error(`unrecognized column definition "${path}"`);
    }
    rest = rest.slice(m[0].length);
  }
  return (data) => steps.reduce<unknown[]>((values, step) => applyStep(values, step), [data]);
}

/** One step over every current value, with client-go's missing-key and nil handling. */
function applyStep(values: unknown[], step: Step): unknown[] {
  const out: unknown[] = [];
  for (const value of values) {
    if (step.kind === "field") {
      // A missing key yields nothing; a present null is a result (printed as "<no value>").
      if (isJsonObject(value) && Object.hasOwn(value, step.name)) out.push(value[step.name]);
      continue;
    }
    if (value === null) {
      if (step.kind === "index") continue;
      throw new JsonPathEvalError("nil is not array or slice and cannot be filtered");
    }
    if (!Array.isArray(value)) throw new JsonPathEvalError("value is not array or slice");
    if (step.kind === "index") {
      const i = step.index < 0 ? step.index + value.length : step.index;
      if (i < 0 || i >= value.length) throw new JsonPathEvalError(`array index out of bounds: index ${step.index}`);
      out.push(value[i]);
    } else {
      for (const item of value) {
        if (filterMatches(item, step)) out.push(item);
      }
    }
  }
  return out;
}

/** `[?(@.path op 'literal')]` for one element: items without the field are skipped, non-strings cannot be compared. */
function filterMatches(item: unknown, step: Extract<Step, { kind: "filter" }>): boolean {
  let left: unknown = item;
  for (const name of step.path) {
    if (!isJsonObject(left) || !Object.hasOwn(left, name)) return false;
    left = left[name];
  }
  if (typeof left !== "string") throw new JsonPathEvalError("incompatible types for comparison");
  return step.operator === "==" ? left === step.literal : left !== step.literal;
}
