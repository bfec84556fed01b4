/**
 * @module
 * Decodes a protobuf core/v1 `Namespace` (k8s.io/api/core/v1/generated.proto:
 * metadata=1, spec=2 {finalizers=1}, status=3 {phase=1, conditions=2}).
 */
import type { JsonObject } from "../object";
import { memberArray, setNonZero } from "./json-members";
import { decodeObjectMeta } from "./object-meta";
import type { WireReader } from "./wire";

/**
 * Reads a Namespace message into `{metadata, spec, status}`. As with Go's
 * `encoding/json`, the three structs are always present (a struct is never
 * omitted by `omitempty`), so an empty namespace gives `{metadata: {}, spec: {}, status: {}}`.
 *
 * status.conditions are checked for framing and dropped: the server resets status on
 * create (upstream namespaceStrategy.PrepareForCreate), and kubectl never sends them.
 */
export function decodeNamespace(reader: WireReader): JsonObject {
  const metadata: JsonObject = {};
  const spec: JsonObject = {};
  const status: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        decodeObjectMeta(reader.readMessage(tag, "ObjectMeta"), metadata);
        break;
      case 2:
        decodeNamespaceSpec(reader.readMessage(tag, "NamespaceSpec"), spec);
        break;
      case 3:
        decodeNamespaceStatus(reader.readMessage(tag, "NamespaceStatus"), status);
        break;
      default:
        reader.skip(tag);
    }
  }
  return { metadata, spec, status };
}

function decodeNamespaceSpec(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) memberArray(into, "finalizers").push(reader.readString(tag));
    else reader.skip(tag);
  }
}

function decodeNamespaceStatus(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) setNonZero(into, "phase", reader.readString(tag));
    else if (tag.fieldNumber === 2) reader.readMessage(tag, "NamespaceCondition").skipFields();
    else reader.skip(tag);
  }
}
