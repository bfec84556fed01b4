/**
 * @module
 * Decodes a protobuf `metav1.ObjectMeta` (k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto)
 * into the JSON that `encoding/json` would produce for the same Go struct.
 */
import { base64FromBytes } from "../base64";
import { setMember } from "../json-value";
import type { JsonObject } from "../object";
import { memberArray, memberObject, setNonZero } from "./json-members";
import type { FieldTag, WireReader } from "./wire";

/**
 * Reads `reader` (an ObjectMeta message) into `into`. A repeated occurrence of
 * the enclosing field merges into the same object, as Go's generated
 * `Unmarshal` does: scalars are last-wins, lists and maps accumulate.
 *
 * Zero scalars are omitted, as `json:",omitempty"` does. Fields the server
 * itself sets or clears on create are checked for framing and dropped: selfLink,
 * creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds and
 * managedFields (kubectl's bodies carry only zero values there).
 */
export function decodeObjectMeta(reader: WireReader, into: JsonObject = {}): JsonObject {
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        setNonZero(into, "name", reader.readString(tag));
        break;
      case 2:
        setNonZero(into, "generateName", reader.readString(tag));
        break;
      case 3:
        setNonZero(into, "namespace", reader.readString(tag));
        break;
      case 4: // selfLink: deprecated, cleared by the server
        reader.readString(tag);
        break;
      case 5:
        setNonZero(into, "uid", reader.readString(tag));
        break;
      case 6:
        setNonZero(into, "resourceVersion", reader.readString(tag));
        break;
      case 7:
        setNonZero(into, "generation", reader.readInt64(tag));
        break;
      case 8: // creationTimestamp
      case 9: // deletionTimestamp
        reader.readMessage(tag, "Time").skipFields();
        break;
      case 10: // deletionGracePeriodSeconds
        reader.readInt64(tag);
        break;
      case 11:
        readStringMapEntry(reader, tag, memberObject(into, "labels"));
        break;
      case 12:
        readStringMapEntry(reader, tag, memberObject(into, "annotations"));
        break;
      case 13:
        memberArray(into, "ownerReferences").push(decodeOwnerReference(reader.readMessage(tag, "OwnerReference")));
        break;
      case 14:
        memberArray(into, "finalizers").push(reader.readString(tag));
        break;
      case 17: // managedFields
        reader.readMessage(tag, "ManagedFieldsEntry").skipFields();
        break;
      default:
        // Go's generated code skips fields it does not know; so do we.
        reader.skip(tag);
    }
  }
  return into;
}

/**
 * Decodes a `metav1.OwnerReference`. Its four strings have no `omitempty` in
 * Go, so they are always present; the two bools are pointers, so they appear
 * exactly when sent (even as false).
 */
function decodeOwnerReference(reader: WireReader): JsonObject {
  const ref: JsonObject = { apiVersion: "", kind: "", name: "", uid: "" };
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        ref.kind = reader.readString(tag);
        break;
      case 3:
        ref.name = reader.readString(tag);
        break;
      case 4:
        ref.uid = reader.readString(tag);
        break;
      case 5:
        ref.apiVersion = reader.readString(tag);
        break;
      case 6:
        ref.controller = reader.readBool(tag);
        break;
      case 7:
        ref.blockOwnerDeletion = reader.readBool(tag);
        break;
      default:
        reader.skip(tag);
    }
  }
  return ref;
}

/**
 * Reads one `map<string, string>` entry (a message with key=1, value=2, both
 * defaulting to "") into `map`; a later entry for the same key wins. With
 * `values: "bytes"` the value is a `bytes` field, kept as base64, as
 * encoding/json renders a []byte (Secret data, ConfigMap binaryData).
 */
export function readStringMapEntry(reader: WireReader, tag: FieldTag, map: JsonObject, values: "string" | "bytes" = "string"): void {
  const entry = reader.readMessage(tag, `${reader.message} map entry`);
  let key = "";
  let value = "";
  while (!entry.done) {
    const field = entry.readTag();
    if (field.fieldNumber === 1) key = entry.readString(field);
    else if (field.fieldNumber === 2) value = values === "bytes" ? base64FromBytes(entry.readBytes(field)) : entry.readString(field);
    else entry.skip(field);
  }
  setMember(map, key, value);
}
