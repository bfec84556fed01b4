/**
 * @module
 * Turns zod issues into `StatusCause`s worded like upstream's schema errors:
 * a missing field is `Required value`, a wrong JSON type is the CRD
 * validator's `Invalid value: "string": spec.x in body must be of type
 * integer: "string"`, an enum miss is `Unsupported value: …`. One cause per
 * field path, in the order zod found them.
 */
import type { z } from "zod";
import type { StatusCause } from "../k8s/errors";
import { invalidValue, notSupported, required } from "../k8s/validation";
import { QUANTITY_ISSUE } from "./meta";
import { formatFieldPath, type MapKeyStyle } from "./schema-walk";

/** The OpenAPI type name of a JSON value, as kube-openapi's validator reports it. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "object") return "object";
  return typeof value;
}

const EXPECTED_NAMES: Record<string, string> = { int: "integer", record: "object", map: "object", tuple: "array" };

/** The quantity pattern KubeVirt's CRDs declare for `resource.Quantity` fields. */
const CRD_QUANTITY_PATTERN =
  "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

function typeError(field: string, expected: string, input: unknown): StatusCause {
  const actual = jsonTypeName(input);
  return invalidValue(field, actual, `${field} in body must be of type ${expected}: "${actual}"`);
}

/** Expected types of a failed union, e.g. `integer,string` for int-or-string fields. */
function unionExpected(issue: z.core.$ZodIssueInvalidUnion): string {
  const names = new Set<string>();
  for (const branch of issue.errors) {
    for (const e of branch) {
      if (e.code === "invalid_type" && e.path.length === 0) names.add(EXPECTED_NAMES[e.expected] ?? e.expected);
    }
  }
  return [...names].sort().join(",");
}

function causeFor(issue: z.core.$ZodIssue, field: string, crd: boolean): StatusCause {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return required(field);
      return typeError(field, EXPECTED_NAMES[issue.expected] ?? issue.expected, issue.input);
    case "invalid_value":
      return notSupported(field, issue.input, issue.values.map(String));
    case "invalid_union":
      return typeError(field, unionExpected(issue) || "object", issue.input);
    case "custom":
      if (issue.params?.[QUANTITY_ISSUE] === true && crd) {
        return invalidValue(field, issue.input, `${field} in body should match '${CRD_QUANTITY_PATTERN}'`);
      }
      return invalidValue(field, issue.input, issue.message);
    default:
      return invalidValue(field, issue.input, issue.message);
  }
}

/**
 * One cause per distinct field path. Built-in kinds print map keys as
 * `limits[cpu]`, CRD kinds as `limits.cpu`, as their validators do.
 */
export function issuesToCauses(schema: z.core.$ZodType, issues: readonly z.core.$ZodIssue[], crd: boolean): StatusCause[] {
  const style: MapKeyStyle = crd ? "member" : "subscript";
  const seen = new Set<string>();
  const causes: StatusCause[] = [];
  for (const issue of issues) {
    const field = formatFieldPath(schema, issue.path, style);
    if (seen.has(field)) continue;
    seen.add(field);
    causes.push(causeFor(issue, field, crd));
  }
  return causes;
}
