/**
 * @module
 * managedFields a client sends (a create, an update, a patch that changes
 * them): upstream lets a client replace them, and validates the entries
 * (ValidateManagedFields). We also refuse a `fieldsV1` that is no FieldsV1
 * set, where upstream quietly keeps the stored entries.
 */
import { invalid, type StatusCause } from "./errors";
import { type FieldSet, isEmptySet } from "./field-set";
import { entryOf, fieldManagerProblem, type ManagedFieldsEntry, managerKey, sortEntries } from "./managed-fields";
import { isJsonObject, type Json, type JsonObject } from "./object";

const OPERATIONS = new Set(["Apply", "Update"]);
const MAX_SUBRESOURCE = 256;

/**
 * Reads managedFields a client sent (a create, an update, a patch that
 * changed them), refusing what upstream's ValidateManagedFields refuses and
 * what is no FieldsV1 set (422 on `metadata.managedFields[i]…`). Entries with
 * no fields are dropped, so `[{}]` clears the list, as upstream documents.
 */
export function requestedEntries(value: Json, kind: string, name: string, group: string): ManagedFieldsEntry[] {
  const causes: StatusCause[] = [];
  const out: ManagedFieldsEntry[] = [];
  const seen = new Set<string>();
  const bad = (field: string, reason: string, message: string): void => {
    causes.push({ reason, field: `metadata.managedFields${field}`, message });
  };
  if (!Array.isArray(value)) {
    bad("", "FieldValueInvalid", "Invalid value: must be a list of managed fields entries");
    throw invalid(kind, name, causes, group);
  }
  value.forEach((raw, i) => {
    const at = `[${i}]`;
    if (!isJsonObject(raw)) return bad(at, "FieldValueInvalid", "Invalid value: must be an object");
    const fields = raw.fieldsV1;
    if (fields !== undefined && fields !== null && !isJsonObject(fields)) return bad(`${at}.fieldsV1`, "FieldValueInvalid", "Invalid value: must be a FieldsV1 object");
    const problem = isJsonObject(fields) ? fieldsV1Problem(fields, "") : undefined;
    if (problem) return bad(`${at}.fieldsV1`, "FieldValueInvalid", `Invalid value: ${problem}`);
    if (!isJsonObject(fields) || isEmptySet(fields)) return;
    const entry = checkedEntry(raw, fields, at, bad);
    if (!entry) return;
    const key = managerKey(entry);
    if (seen.has(key)) return bad(at, "FieldValueDuplicate", `Duplicate value: manager ${JSON.stringify(entry.manager)} (${entry.operation}) is listed twice`);
    seen.add(key);
    out.push(entry);
  });
  if (causes.length > 0) throw invalid(kind, name, causes, group);
  return sortEntries(out);
}

function checkedEntry(raw: JsonObject, fields: FieldSet, at: string, bad: (field: string, reason: string, message: string) => void): ManagedFieldsEntry | undefined {
  const text = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") {
      bad(`${at}.${key}`, "FieldValueInvalid", `Invalid value: ${JSON.stringify(v)}: must be a string`);
      return undefined;
    }
    return v;
  };
  const before = Object.keys(raw).length;
  const operation = text("operation") ?? "";
  const manager = text("manager") ?? "";
  const apiVersion = text("apiVersion") ?? "";
  const fieldsType = text("fieldsType") ?? "";
  const subresource = text("subresource") ?? "";
  const time = text("time");
  let ok = before > 0;
  if (!OPERATIONS.has(operation)) {
    bad(`${at}.operation`, "FieldValueInvalid", `Invalid value: ${JSON.stringify(operation)}: must be \`Apply\` or \`Update\``);
    ok = false;
  }
  if (fieldsType !== "" && fieldsType !== "FieldsV1") {
    bad(`${at}.fieldsType`, "FieldValueInvalid", `Invalid value: ${JSON.stringify(fieldsType)}: must be \`FieldsV1\``);
    ok = false;
  }
  const managerProblem = fieldManagerProblem(manager);
  if (managerProblem) {
    bad(`${at}.manager`, managerProblem.startsWith("Too long") ? "FieldValueTooLong" : "FieldValueInvalid", managerProblem);
    ok = false;
  }
  if (subresource.length > MAX_SUBRESOURCE) {
    bad(`${at}.subresource`, "FieldValueTooLong", `Too long: may not be more than ${MAX_SUBRESOURCE} bytes`);
    ok = false;
  }
  if (time !== undefined && Number.isNaN(Date.parse(time))) {
    bad(`${at}.time`, "FieldValueInvalid", `Invalid value: ${JSON.stringify(time)}: must be an RFC 3339 time`);
    ok = false;
  }
  if (!ok) return undefined;
  return entryOf({ manager, operation: operation as "Apply" | "Update", apiVersion, subresource }, fields, time);
}

/** Why `node` is no FieldsV1 set, or undefined: every key a path element, every value an object. */
function fieldsV1Problem(node: JsonObject, path: string): string | undefined {
  for (const key in node) {
    const child = node[key];
    const where = `${path}${path === "" ? "" : "/"}${key}`;
    if (!isJsonObject(child)) return `${JSON.stringify(where)} must map to an object`;
    if (key === ".") {
      if (Object.keys(child).length > 0) return `${JSON.stringify(where)} must map to {}`;
      continue;
    }
    const problem = elementProblem(key);
    if (problem) return `${JSON.stringify(where)}: ${problem}`;
    const below = fieldsV1Problem(child, where);
    if (below) return below;
  }
  return undefined;
}

function elementProblem(key: string): string | undefined {
  const body = key.slice(2);
  switch (key.slice(0, 2)) {
    case "f:":
      return undefined;
    case "i:":
      return /^(0|[1-9][0-9]*)$/.test(body) ? undefined : "an index (i:) must be a non-negative integer";
    case "k:":
    case "v:": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return `${key.slice(0, 1)}: must be followed by JSON`;
      }
      if (key.startsWith("k:") && (!isJsonObject(parsed) || Object.keys(parsed).length === 0)) return "a key (k:) must be a JSON object of the key fields";
      return undefined;
    }
    default:
      return "a path element must start with f:, k:, v: or i:";
  }
}
