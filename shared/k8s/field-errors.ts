/**
 * @module
 * Field-level validation errors as `StatusCause`s, formatted exactly as
 * apimachinery 1.32's `field.Error.ErrorBody()` prints them
 * (`k8s.io/apimachinery/pkg/util/validation/field/errors.go`). A 422 Status
 * carries one cause per error: `{reason: <ErrorType>, message: ErrorBody(), field}`.
 */
import type { StatusCause } from "./errors";

/** The `field.ErrorType`s our validation emits, as they appear in `causes[].reason`. */
export type FieldErrorReason =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueTooLong"
  | "FieldValueNotSupported"
  | "FieldValueDuplicate"
  | "FieldValueForbidden";

/** A `StatusCause` produced by field validation: reason and field are always set. */
export interface FieldCause extends StatusCause {
  reason: FieldErrorReason;
  field: string;
}

/**
 * A bad value that must print as a literal piece of Go syntax, for the few
 * places where upstream's `%#v` output cannot be derived from a JSON value
 * (e.g. `[]string(nil)` versus `[]string{}`).
 */
export class GoSyntax {
  constructor(readonly text: string) {}
}

const GO_SHORT_ESCAPES: Record<number, string> = {
  0x07: "\\a",
  0x08: "\\b",
  0x0c: "\\f",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
  0x0b: "\\v",
};

// unicode.IsPrint: letters, marks, numbers, punctuation, symbols (and ASCII space, handled earlier).
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/**
 * Go's `strconv.Quote` (what `%q` prints): double quotes, backslash escapes,
 * non-printable runes as `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\") {
      out += "\\" + ch;
    } else if (cp >= 0x20 && cp < 0x7f) {
      out += ch;
    } else if (cp < 0x80) {
      out += GO_SHORT_ESCAPES[cp] ?? "\\x" + cp.toString(16).padStart(2, "0");
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate cannot reach Go: its JSON decoder turns it into U+FFFD, which prints as is.
      out += "\ufffd";
    } else if (PRINTABLE.test(ch)) {
      out += ch;
    } else if (cp < 0x10000) {
      out += "\\u" + cp.toString(16).padStart(4, "0");
    } else {
      out += "\\U" + cp.toString(16).padStart(8, "0");
    }
  }
  return out + '"';
}

/**
 * Renders a bad value as 1.32's ErrorBody does: strings with `%q`, numbers and
 * booleans with `%v`, nil as `null`, string slices as `%#v` (`[]string{"a", "b"}`).
 * Other values print as JSON (what 1.34+ does), because Go's `%#v` of a struct
 * includes pointer addresses and cannot be reproduced.
 */
export function formatBadValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof GoSyntax) return value.text;
  switch (typeof value) {
    case "string":
      return goQuote(value);
    case "number":
    case "bigint":
    case "boolean":
      return String(value);
  }
  if (Array.isArray(value) && value.every((v): v is string => typeof v === "string")) {
    return `[]string{${value.map(goQuote).join(", ")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function cause(reason: FieldErrorReason, field: string, message: string, detail?: string): FieldCause {
  return { reason, message: detail ? `${message}: ${detail}` : message, field };
}

/** `field.Required`: `Required value[: detail]`. */
export function required(field: string, detail?: string): FieldCause {
  return cause("FieldValueRequired", field, "Required value", detail);
}

/** `field.Invalid`: `Invalid value: <value>[: detail]`. */
export function invalidValue(field: string, value: unknown, detail?: string): FieldCause {
  return cause("FieldValueInvalid", field, `Invalid value: ${formatBadValue(value)}`, detail);
}

/** `field.NotSupported`: `Unsupported value: <value>: supported values: "a", "b"`. */
export function notSupported(field: string, value: unknown, valid: readonly string[]): FieldCause {
  const detail = valid.length > 0 ? "supported values: " + valid.map(goQuote).join(", ") : undefined;
  return cause("FieldValueNotSupported", field, `Unsupported value: ${formatBadValue(value)}`, detail);
}

/** `field.Duplicate`: `Duplicate value: <value>`. */
export function duplicate(field: string, value: unknown): FieldCause {
  return cause("FieldValueDuplicate", field, `Duplicate value: ${formatBadValue(value)}`);
}

/** `field.Forbidden`: `Forbidden[: detail]`. (Not the 403 `forbidden` of errors.ts.) */
export function forbidden(field: string, detail?: string): FieldCause {
  return cause("FieldValueForbidden", field, "Forbidden", detail);
}

/** `field.TooLong` as of 1.32: `Too long: may not be more than <max> bytes` (the value is omitted). */
export function tooLong(field: string, max: number): FieldCause {
  return cause("FieldValueTooLong", field, "Too long", max >= 0 ? `may not be more than ${max} bytes` : "value is too long");
}

/** `field.Error.Error()`: `<field>: <body>`. */
export function fieldErrorString(c: StatusCause): string {
  return `${c.field ?? ""}: ${c.message}`;
}

/**
 * `utilerrors.NewAggregate(errs).Error()`: one error prints alone; several
 * print as `[a, b]` with duplicates dropped.
 */
export function aggregateErrorString(causes: readonly StatusCause[]): string {
  const seen = [...new Set(causes.map(fieldErrorString))];
  if (seen.length <= 1) return seen[0] ?? "";
  return `[${seen.join(", ")}]`;
}
