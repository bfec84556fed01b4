/**
 * @module
 * One label selector requirement (`key op values`), mirroring `labels.Requirement`
 * in apimachinery `pkg/labels/selector.go`: construction with validation,
 * matching and the canonical string form.
 */
import type { StatusCause } from "./errors";
import { GoSyntax, invalidValue, notSupported } from "./field-errors";
import { isQualifiedName, isValidLabelValue } from "./validation";

/** `selection.Operator` values as upstream spells them. */
export type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

/** The binary operators in upstream's order; used in parse error messages. */
export const BINARY_OPERATORS: readonly LabelOperator[] = ["in", "notin", "=", "==", "!=", "gt", "lt"];
const VALID_OPERATORS: readonly LabelOperator[] = [...BINARY_OPERATORS, "exists", "!"];

/** An immutable label requirement. Build it with {@link newRequirement}. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `strconv.ParseInt(s, 10, 64)`: an optional sign, decimal digits, within int64. */
export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** Appends a child name to a field path; an absent path is a root, as with a nil `*field.Path`. */
function child(path: string | undefined, name: string): string {
  return path ? `${path}.${name}` : name;
}

/**
 * `labels.NewRequirement`: validates key, operator and values and returns the
 * requirement together with every problem found (none when valid).
 * @param path field path of the requirement; absent for query-string selectors.
 */
export function newRequirement(
  key: string,
  operator: string,
  values: readonly string[],
  path?: string,
): { requirement: LabelRequirement; causes: StatusCause[] } {
  const causes: StatusCause[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) causes.push(invalidValue(child(path, "key"), key, keyErrs.join("; ")));
  const valuePath = child(path, "values");
  // LabelSelectorAsSelector hands over a nil slice when an expression has no values.
  const badValues = values.length === 0 ? new GoSyntax("[]string(nil)") : values;
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0) {
        causes.push(invalidValue(valuePath, badValues, "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1) {
        causes.push(invalidValue(valuePath, badValues, "exact-match compatibility requires one single value"));
      }
      break;
    case "exists":
    case "!":
      if (values.length !== 0) {
        causes.push(invalidValue(valuePath, badValues, "values set must be empty for exists and does not exist"));
      }
      break;
    case "gt":
    case "lt":
      if (values.length !== 1) {
        causes.push(invalidValue(valuePath, badValues, "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          causes.push(invalidValue(`${valuePath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
    default:
      causes.push(notSupported(child(path, "operator"), operator, VALID_OPERATORS));
  }
  values.forEach((v, i) => {
    const errs = isValidLabelValue(v);
    if (errs.length > 0) causes.push(invalidValue(`${valuePath}[${i}][${key}]`, v, errs.join("; ")));
  });
  return { requirement: { key, operator: operator as LabelOperator, values: [...values] }, causes };
}

/**
 * `Requirement.Matches`: `!=` and `notin` match a missing key; `gt`/`lt`
 * compare the label as an int64 and fail on anything that is not one.
 */
export function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case "in":
    case "=":
    case "==":
      return value !== undefined && r.values.includes(value);
    case "notin":
    case "!=":
      return value === undefined || !r.values.includes(value);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (value === undefined || r.values.length !== 1) return false;
      const actual = parseInt64(value);
      const bound = parseInt64(r.values[0] ?? "");
      if (actual === undefined || bound === undefined) return false;
      return r.operator === "gt" ? actual > bound : actual < bound;
    }
  }
}

const OPERATOR_TEXT: Record<LabelOperator, string> = {
  "=": "=",
  "==": "==",
  "!=": "!=",
  in: " in ",
  notin: " notin ",
  gt: ">",
  lt: "<",
  exists: "",
  "!": "",
};

/** `Requirement.String`: `a=b`, `a in (x,y)` (values sorted), `a`, `!a`, `a>1`. */
export function requirementString(r: LabelRequirement): string {
  if (r.operator === "exists") return r.key;
  if (r.operator === "!") return `!${r.key}`;
  const values = r.values.length === 1 ? (r.values[0] ?? "") : [...r.values].sort(compareBytes).join(",");
  const set = r.operator === "in" || r.operator === "notin";
  return r.key + OPERATOR_TEXT[r.operator] + (set ? `(${values})` : values);
}

/** Go's string ordering (bytewise); for the ASCII that valid keys and values use it equals UTF-16 order. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
