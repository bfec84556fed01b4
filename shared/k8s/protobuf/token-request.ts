/**
 * @module
 * Decodes a protobuf authentication/v1 `TokenRequest`
 * (k8s.io/api/authentication/v1/generated.proto: metadata=1, spec=2
 * {audiences=1, boundObjectRef=3 {kind=1, apiVersion=2, name=3, uid=4},
 * expirationSeconds=4}, status=3), what `kubectl create token` sends.
 */
import type { JsonObject } from "../object";
import { memberArray, setNonZero } from "./json-members";
import { decodeObjectMeta } from "./object-meta";
import type { WireReader } from "./wire";

const BOUND_OBJECT_REFERENCE_FIELDS: Readonly<Record<number, string>> = { 1: "kind", 2: "apiVersion", 3: "name", 4: "uid" };

/**
 * Reads a TokenRequest into `{metadata, spec, status}`. status is checked for
 * framing and dropped: the server fills it. expirationSeconds is a *int64,
 * kept when sent (even 0, which validation then refuses).
 */
export function decodeTokenRequest(reader: WireReader): JsonObject {
  const metadata: JsonObject = {};
  const spec: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        decodeObjectMeta(reader.readMessage(tag, "ObjectMeta"), metadata);
        break;
      case 2:
        decodeTokenRequestSpec(reader.readMessage(tag, "TokenRequestSpec"), spec);
        break;
      case 3:
        reader.readMessage(tag, "TokenRequestStatus").skipFields();
        break;
      default:
        reader.skip(tag);
    }
  }
  return { metadata, spec, status: {} };
}

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
