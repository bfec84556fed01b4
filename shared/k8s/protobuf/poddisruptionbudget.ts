/**
 * @module
 * Decodes a protobuf policy/v1 `PodDisruptionBudget` (k8s.io/api/policy/v1/generated.proto:
 * metadata=1, spec=2 {minAvailable=1, selector=2, maxUnavailable=3,
 * unhealthyPodEvictionPolicy=4}, status=3), what `kubectl create poddisruptionbudget` sends.
 * `intstr.IntOrString` (apimachinery util/intstr/generated.proto): type=1 (0 Int, 1 String), intVal=2, strVal=3.
 */
import type { JsonObject } from "../object";
import { decodeIntOrString } from "./int-or-string";
import { decodeLabelSelector } from "./label-selector";
import { specObjectDecoder } from "./spec-object";
import type { WireReader } from "./wire";

/** Reads a PodDisruptionBudget into `{metadata, spec, status: {}}`; the server fills status. */
export const decodePodDisruptionBudget = specObjectDecoder("PodDisruptionBudget", decodeSpec);

function decodeSpec(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        into.minAvailable = decodeIntOrString(reader.readMessage(tag, "IntOrString"));
        break;
      case 2:
        into.selector = decodeLabelSelector(reader.readMessage(tag, "LabelSelector"));
        break;
      case 3:
        into.maxUnavailable = decodeIntOrString(reader.readMessage(tag, "IntOrString"));
        break;
      case 4:
        into.unhealthyPodEvictionPolicy = reader.readString(tag);
        break;
      default:
        reader.skip(tag);
    }
  }
}
