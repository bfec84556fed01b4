/**
 * @module
 * Decodes a protobuf `metav1.LabelSelector` (matchLabels=1 map<string,string>,
 * matchExpressions=2 {key=1, operator=2, values=3}) into its JSON form.
 */
import { setMember } from "../json-value";
import type { JsonObject } from "../object";
import { memberArray, memberObject } from "./json-members";
import type { WireReader } from "./wire";

/**
 * Reads a LabelSelector: matchLabels and matchExpressions appear only when
 * sent (`omitempty`); a requirement always has key and operator.
 */
export function decodeLabelSelector(reader: WireReader): JsonObject {
  const selector: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) {
      const entry = reader.readMessage(tag, "LabelSelector matchLabels entry");
      let key = "";
      let value = "";
      while (!entry.done) {
        const field = entry.readTag();
        if (field.fieldNumber === 1) key = entry.readString(field);
        else if (field.fieldNumber === 2) value = entry.readString(field);
        else entry.skip(field);
      }
      setMember(memberObject(selector, "matchLabels"), key, value);
    } else if (tag.fieldNumber === 2) {
      memberArray(selector, "matchExpressions").push(decodeRequirement(reader.readMessage(tag, "LabelSelectorRequirement")));
    } else {
      reader.skip(tag);
    }
  }
  return selector;
}

function decodeRequirement(reader: WireReader): JsonObject {
  const req: JsonObject = { key: "", operator: "" };
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) req.key = reader.readString(tag);
    else if (tag.fieldNumber === 2) req.operator = reader.readString(tag);
    else if (tag.fieldNumber === 3) memberArray(req, "values").push(reader.readString(tag));
    else reader.skip(tag);
  }
  return req;
}
