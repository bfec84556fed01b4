/**
 * @module
 * Decodes a protobuf authentication/v1 `TokenRequest`
 * (k8s.io/api/authentication/v1/generated.proto: metadata=1, spec=2
 * {audiences=1, boundObjectRef=3 {kind=1, apiVersion=2, name=3, uid=4},
 * expirationSeconds=4}, status=3), what `kubectl create token` sends.
 */
import type { JsonObject } from "../object";
import { memberArray, setNonZero } from "./json-members";
import { specObjectDecoder } from "./spec-object";
import type { WireReader } from "./wire";

const BOUND_OBJECT_REFERENCE_FIELDS: Readonly<Record<number, string>> = { 1: "kind", 2: "apiVersion", 3: "name", 4: "uid" };

/**
 * Reads a TokenRequest into `{metadata, spec, status}`; the server fills status.
 * expirationSeconds is a *int64, kept when sent (even 0, which validation then refuses).
 */
export const decodeTokenRequest = specObjectDecoder("TokenRequest", decodeTokenRequestSpec);

function decodeTokenRequestSpec(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        memberArray(into, "audiences").push(reader.readString(tag));
        break;
      case 3:
        into.boundObjectRef = decodeBoundObjectReference(reader.readMessage(tag, "BoundObjectReference"));
        break;
      case 4:
        into.expirationSeconds = reader.readInt64(tag);
        break;
      default:
        reader.skip(tag);
    }
  }
}

function decodeBoundObjectReference(reader: WireReader): JsonObject {
  const ref: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    const field = Object.hasOwn(BOUND_OBJECT_REFERENCE_FIELDS, tag.fieldNumber) ? BOUND_OBJECT_REFERENCE_FIELDS[tag.fieldNumber] : undefined;
    if (field) setNonZero(ref, field, reader.readString(tag));
    else reader.skip(tag);
  }
  return ref;
}
