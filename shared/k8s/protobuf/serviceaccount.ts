/**
 * @module
 * Decodes a protobuf core/v1 `ServiceAccount` (k8s.io/api/core/v1/generated.proto:
 * metadata=1, secrets=2 (ObjectReference), imagePullSecrets=3
 * (LocalObjectReference {name=1}), automountServiceAccountToken=4), what
 * `kubectl create serviceaccount` sends.
 */
import type { JsonObject } from "../object";
import { memberArray, setNonZero } from "./json-members";
import { decodeObjectMeta } from "./object-meta";
import type { WireReader } from "./wire";

/** ObjectReference's string fields by number (kind=1 … fieldPath=7), all `omitempty` in Go. */
const OBJECT_REFERENCE_FIELDS: Readonly<Record<number, string>> = {
  1: "kind", 2: "namespace", 3: "name", 4: "uid", 5: "apiVersion", 6: "resourceVersion", 7: "fieldPath",
};

/** Reads a ServiceAccount message into `{metadata, …}` as `encoding/json` would render it. */
export function decodeServiceAccount(reader: WireReader): JsonObject {
  const out: JsonObject = { metadata: {} };
  const metadata = out.metadata as JsonObject;
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        decodeObjectMeta(reader.readMessage(tag, "ObjectMeta"), metadata);
        break;
      case 2:
        memberArray(out, "secrets").push(decodeObjectReference(reader.readMessage(tag, "ObjectReference")));
        break;
      case 3:
        memberArray(out, "imagePullSecrets").push(decodeLocalObjectReference(reader.readMessage(tag, "LocalObjectReference")));
        break;
      case 4:
        // A *bool: present exactly when sent, even as false.
        out.automountServiceAccountToken = reader.readBool(tag);
        break;
      default:
        reader.skip(tag);
    }
  }
  return out;
}

/** A core/v1 ObjectReference. */
export function decodeObjectReference(reader: WireReader): JsonObject {
  const ref: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    const field = Object.hasOwn(OBJECT_REFERENCE_FIELDS, tag.fieldNumber) ? OBJECT_REFERENCE_FIELDS[tag.fieldNumber] : undefined;
    if (field) setNonZero(ref, field, reader.readString(tag));
    else reader.skip(tag);
  }
  return ref;
}

function decodeLocalObjectReference(reader: WireReader): JsonObject {
  const ref: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) setNonZero(ref, "name", reader.readString(tag));
    else reader.skip(tag);
  }
  return ref;
}
