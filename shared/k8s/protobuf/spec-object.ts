/**
 * @module
 * The outer shape most objects share on the wire (metadata=1, spec=2,
 * status=3), for kinds whose status the server fills itself: the status is
 * checked for framing and dropped, and answered empty, as encoding/json
 * renders a struct (always present).
 */
import type { JsonObject } from "../object";
import { decodeObjectMeta } from "./object-meta";
import type { WireReader } from "./wire";

/** A decoder of `{metadata, spec, status: {}}`, reading spec with `readSpec`. */
export function specObjectDecoder(
  kind: string, readSpec: (reader: WireReader, into: JsonObject) => void,
): (reader: WireReader) => JsonObject {
  return (reader) => {
    const metadata: JsonObject = {};
    const spec: JsonObject = {};
    while (!reader.done) {
      const tag = reader.readTag();
      if (tag.fieldNumber === 1) decodeObjectMeta(reader.readMessage(tag, "ObjectMeta"), metadata);
      else if (tag.fieldNumber === 2) readSpec(reader.readMessage(tag, `${kind}Spec`), spec);
      else if (tag.fieldNumber === 3) reader.readMessage(tag, `${kind}Status`).skipFields();
      else reader.skip(tag);
    }
    return { metadata, spec, status: {} };
  };
}
