/**
 * @module
 * Printing for custom resources from their additionalPrinterColumns, as
 * apiextensions-apiserver's tableconvertor (pkg/registry/customresource/tableconvertor)
 * does: a Name column, then one column per JSONPath; a path that selects
 * nothing gives a null cell, which kubectl shows as `<none>`.
 */
import type { KubeObject } from "../object";
import { isJsonObject } from "../object";
import type { Printer, TableCell, TableColumnDefinition } from "../resource-kind";
import { NAME_COLUMN } from "./columns";
import { humanDuration } from "./duration";
import { str } from "./fields";
import { JsonPathEvalError, compileJsonPath } from "./json-path";
import { isZeroTime, parseRfc3339 } from "./timestamp";

/** apiextensions/v1 CustomResourceColumnDefinition. */
export interface CustomResourceColumnDefinition {
  name: string;
  type: TableColumnDefinition["type"];
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** Go's `fmt.Sprint(float64)` (%g, shortest digits, exponent below 1e-4 or from 1e6). */
function goFloat(n: number): string {
  const [mantissa = "", exponent = "0"] = n.toExponential().split("e");
  const exp = Number(exponent);
  if (exp >= -4 && exp < 6) return String(n);
  const digits = String(Math.abs(exp)).padStart(2, "0");
  return `${mantissa}e${exp < 0 ? "-" : "+"}${digits}`;
}

/** encoding/json's Marshal of decoded JSON: map keys sorted, HTML-sensitive characters escaped. */
function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (!isJsonObject(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]));
  };
  const escapes: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" };
  return JSON.stringify(sorted(value)).replace(/[<>&\u2028\u2029]/g, (c) => escapes[c] ?? c);
}

/**
 * A string column's text, as the jsonpath printer writes the value: strings
 * as-is, maps and lists as compact JSON, null as `<no value>`. Unstructured
 * decoding keeps whole numbers as int64, so only fractions use float formatting.
 */
function printValue(value: unknown): string {
  if (value === null || value === undefined) return "<no value>";
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : goFloat(value);
  if (typeof value === "boolean") return String(value);
  return goJson(value);
}

/**
 * A cell from the first value a column's path selected: string columns print
 * any value; the other types take `cellForJSONValue`, where a mismatched type gives null.
 */
function typedCell(type: TableColumnDefinition["type"], value: unknown, now: Date): TableCell {
  switch (type) {
    case "integer":
      return typeof value === "number" ? Math.trunc(value) : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "string":
      return printValue(value);
    case "date": {
      if (typeof value !== "string") return null;
      // metav1.Time.UnmarshalQueryParameter: "" and "null" are the zero time.
      if (value === "" || value === "null") return "<unknown>";
      const ms = parseRfc3339(value);
      if (ms === undefined) return "<invalid>";
      return isZeroTime(ms) ? "<unknown>" : humanDuration(now.getTime() - ms);
    }
  }
}

/**
 * A Printer for a custom resource from its additionalPrinterColumns.
 * Throws, as tableconvertor.New does, when a column's JSONPath cannot be parsed.
 * @example crdPrinter([{ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" }])
 */
export function crdPrinter(columns: CustomResourceColumnDefinition[]): Printer {
  const paths = columns.map((c) => compileJsonPath(c.jsonPath));
  const definitions: TableColumnDefinition[] = [
    NAME_COLUMN,
    ...columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? "",
      description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    })),
  ];
  return {
    columns: definitions,
    cells(obj: KubeObject, now: Date): TableCell[] {
      const cells: TableCell[] = [str(obj.metadata.name)];
      columns.forEach((column, i) => {
        let results: unknown[];
        try {
          results = paths[i]?.(obj) ?? [];
        } catch (e) {
          if (!(e instanceof JsonPathEvalError)) throw e;
          results = [];
        }
        // Only the first selected value is shown, as upstream assumes simple paths.
        cells.push(results.length === 0 ? null : typedCell(column.type, results[0], now));
      });
      return cells;
    },
  };
}
