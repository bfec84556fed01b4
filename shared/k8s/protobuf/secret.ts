/**
 * @module
 * Decodes a protobuf core/v1 `Secret` (k8s.io/api/core/v1/generated.proto:
 * metadata=1, data=2 map<string, bytes>, type=3, stringData=4
 * map<string, string>, immutable=5), what `kubectl create secret` sends.
 * `data` values become base64, as encoding/json renders a []byte.
 */
import type { JsonObject } from "../object";
import { memberObject } from "./json-members";
import { decodeObjectMeta, readStringMapEntry } from "./object-meta";
import type { WireReader } from "./wire";

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
        readStringMapEntry(reader, tag, memberObject(out, "data"), "bytes");
        break;
      case 3:
        out.type = reader.readString(tag);
        break;
      case 4:
        readStringMapEntry(reader, tag, memberObject(out, "stringData"));
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
