/**
 * @module
 * Decodes a protobuf core/v1 `Secret` (k8s.io/api/core/v1/generated.proto:
 * metadata=1, data=2 map<string, bytes>, type=3, stringData=4
 * map<string, string>, immutable=5), what `kubectl create secret` sends.
 * `data` values become base64, as encoding/json renders a []byte.
 */
import type { JsonObject } from "../object";
import { memberObject } from "./json-members";
import { decodeObjectMeta } from "./object-meta";
import type { FieldTag, WireReader } from "./wire";

/** Reads a Secret message into `{metadata, data, …}`. */
export function decodeSecret(reader: WireReader): JsonObject {
  const out: JsonObject = { metadata: {} };
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        decodeObjectMeta(reader.readMessage(tag, "ObjectMeta"), out.metadata as JsonObject);
        break;
      case 2:
        readMapEntry(reader, tag, memberObject(out, "data"), "bytes");
        break;
      case 3:
        out.type = reader.readString(tag);
        break;
      case 4:
        readMapEntry(reader, tag, memberObject(out, "stringData"), "string");
        break;
      case 5:
        // A *bool: present exactly when sent.
        out.immutable = reader.readBool(tag);
        break;
      default:
        reader.skip(tag);
    }
  }
  return out;
}

function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** One map<string, bytes|string> entry into `map`; bytes become base64, as encoding/json renders a []byte. */
export function readMapEntry(reader: WireReader, tag: FieldTag, map: JsonObject, values: "bytes" | "string"): void {
  const entry = reader.readMessage(tag, `${reader.message} map entry`);
  let key = "";
  let value = "";
  while (!entry.done) {
    const field = entry.readTag();
    if (field.fieldNumber === 1) key = entry.readString(field);
    else if (field.fieldNumber === 2) value = values === "bytes" ? base64Of(entry.readBytes(field)) : entry.readString(field);
    else entry.skip(field);
  }
  map[key] = value;
}
