/**
 * @module
 * Decodes a protobuf core/v1 `ResourceQuota` (k8s.io/api/core/v1/generated.proto:
 * metadata=1, spec=2 {hard=1 map<string, Quantity>, scopes=2, scopeSelector=3
 * {matchExpressions=1 {scopeName=1, operator=2, values=3}}}, status=3 {hard=1, used=2};
 * `resource.Quantity` is `{string=1}`), as `kubectl create quota` sends it.
 */
import type { Json, JsonObject } from "../object";
import { memberArray, memberObject } from "./json-members";
import { specObjectDecoder } from "./spec-object";
import type { WireReader } from "./wire";

/** Reads a ResourceQuota message into `{metadata, spec, status}`; the server resets status on create (PrepareForCreate). */
export const decodeResourceQuota = specObjectDecoder("ResourceQuota", decodeSpec);

function decodeSpec(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) decodeResourceListEntry(reader.readMessage(tag, "ResourceListEntry"), memberObject(into, "hard"));
    else if (tag.fieldNumber === 2) memberArray(into, "scopes").push(reader.readString(tag));
    else if (tag.fieldNumber === 3) decodeScopeSelector(reader.readMessage(tag, "ScopeSelector"), memberObject(into, "scopeSelector"));
    else reader.skip(tag);
  }
}

/** One `map<string, Quantity>` entry (key=1, value=2 {string=1}); a missing value is the zero Quantity "0". */
export function decodeResourceListEntry(reader: WireReader, into: JsonObject): void {
  let key = "";
  let value = "0";
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) key = reader.readString(tag);
    else if (tag.fieldNumber === 2) value = decodeQuantity(reader.readMessage(tag, "Quantity"));
    else reader.skip(tag);
  }
  into[key] = value;
}

function decodeQuantity(reader: WireReader): string {
  let value = "0";
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) value = reader.readString(tag) || "0";
    else reader.skip(tag);
  }
  return value;
}

function decodeScopeSelector(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) memberArray(into, "matchExpressions").push(decodeRequirement(reader.readMessage(tag, "ScopedResourceSelectorRequirement")));
    else reader.skip(tag);
  }
}

function decodeRequirement(reader: WireReader): Json {
  const req: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) req.scopeName = reader.readString(tag);
    else if (tag.fieldNumber === 2) req.operator = reader.readString(tag);
    else if (tag.fieldNumber === 3) memberArray(req, "values").push(reader.readString(tag));
    else reader.skip(tag);
  }
  return req;
}
