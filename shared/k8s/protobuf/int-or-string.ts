/**
 * @module
 * `intstr.IntOrString` (k8s.io/apimachinery/pkg/util/intstr/generated.proto:
 * type=1 (0 int, 1 string), intVal=2, strVal=3), used by Deployment's
 * maxSurge/maxUnavailable and PodDisruptionBudget's minAvailable/maxUnavailable.
 */
import type { Json } from "../object";
import type { WireReader } from "./wire";

/** An IntOrString as its JSON: a number for type Int, else the string. */
export function decodeIntOrString(reader: WireReader): Json {
  let type = 0;
  let intVal = 0;
  let strVal = "";
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) type = reader.readInt64(tag);
    else if (tag.fieldNumber === 2) intVal = reader.readInt64(tag);
    else if (tag.fieldNumber === 3) strVal = reader.readString(tag);
    else reader.skip(tag);
  }
  return type === 1 ? strVal : intVal;
}
