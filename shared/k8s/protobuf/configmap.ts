/**
 * @module
 * Decodes a protobuf core/v1 `ConfigMap` (k8s.io/api/core/v1/generated.proto:
 * metadata=1, data=2 map<string, string>, binaryData=3 map<string, bytes>,
 * immutable=4), what `kubectl create configmap` sends.
 */
import type { JsonObject } from "../object";
import { memberObject } from "./json-members";
import { decodeObjectMeta, readStringMapEntry } from "./object-meta";
import type { WireReader } from "./wire";

/** Reads a ConfigMap message into `{metadata, data, binaryData, immutable}`. */
export function decodeConfigMap(reader: WireReader): JsonObject {
  const out: JsonObject = { metadata: {} };
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        decodeObjectMeta(reader.readMessage(tag, "ObjectMeta"), out.metadata as JsonObject);
        break;
      case 2:
        readStringMapEntry(reader, tag, memberObject(out, "data"));
        break;
      case 3:
        readStringMapEntry(reader, tag, memberObject(out, "binaryData"), "bytes");
        break;
      case 4:
        out.immutable = reader.readBool(tag);
        break;
      default:
        reader.skip(tag);
    }
  }
  return out;
}
