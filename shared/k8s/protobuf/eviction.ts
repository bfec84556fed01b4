/**
 * @module
 * Decodes a protobuf policy/v1 `Eviction` (k8s.io/api/policy/v1/generated.proto:
 * metadata=1, deleteOptions=2), what `kubectl drain` posts to `pods/<name>/eviction`.
 * metav1 `DeleteOptions` (apimachinery generated.proto): gracePeriodSeconds=1,
 * preconditions=2 {uid=1, resourceVersion=2}, orphanDependents=3,
 * propagationPolicy=4, dryRun=5.
 */
import type { JsonObject } from "../object";
import { memberArray, setNonZero } from "./json-members";
import { decodeObjectMeta } from "./object-meta";
import type { WireReader } from "./wire";

/** Reads an Eviction into `{metadata, deleteOptions?}`. */
export function decodeEviction(reader: WireReader): JsonObject {
  const out: JsonObject = { metadata: {} };
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        decodeObjectMeta(reader.readMessage(tag, "ObjectMeta"), out.metadata as JsonObject);
        break;
      case 2:
        out.deleteOptions = decodeDeleteOptions(reader.readMessage(tag, "DeleteOptions"));
        break;
      default:
        reader.skip(tag);
    }
  }
  return out;
}

/** Reads a metav1 DeleteOptions; pointer fields are kept when sent, even at their zero value. */
export function decodeDeleteOptions(reader: WireReader): JsonObject {
  const out: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        out.gracePeriodSeconds = reader.readInt64(tag);
        break;
      case 2:
        out.preconditions = decodePreconditions(reader.readMessage(tag, "Preconditions"));
        break;
      case 3:
        out.orphanDependents = reader.readBool(tag);
        break;
      case 4:
        out.propagationPolicy = reader.readString(tag);
        break;
      case 5:
        memberArray(out, "dryRun").push(reader.readString(tag));
        break;
      default:
        reader.skip(tag);
    }
  }
  return out;
}

function decodePreconditions(reader: WireReader): JsonObject {
  const out: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) setNonZero(out, "uid", reader.readString(tag));
    else if (tag.fieldNumber === 2) setNonZero(out, "resourceVersion", reader.readString(tag));
    else reader.skip(tag);
  }
  return out;
}
