/**
 * @module
 * Decodes the authorization.k8s.io/v1 reviews kubectl POSTs as protobuf
 * (`kubectl auth can-i` sends a SelfSubjectAccessReview, `--list` a
 * SelfSubjectRulesReview), per k8s.io/api/authorization/v1/generated.proto:
 * a review is metadata=1, spec=2, status=3; status is the server's to fill
 * and is dropped.
 */
import type { JsonObject } from "../object";
import { memberArray, memberObject, setNonZero } from "./json-members";
import { specObjectDecoder } from "./spec-object";
import type { FieldTag, WireReader } from "./wire";

/** ResourceAttributes: namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7 (selectors, 8 and 9, are not read). */
function readResourceAttributes(reader: WireReader, into: JsonObject): void {
  const keys: Record<number, string> = { 1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name" };
  while (!reader.done) {
    const tag = reader.readTag();
    const key = keys[tag.fieldNumber];
    if (key !== undefined) setNonZero(into, key, reader.readString(tag));
    else reader.skip(tag);
  }
}

/** NonResourceAttributes: path=1 verb=2. */
function readNonResourceAttributes(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) setNonZero(into, "path", reader.readString(tag));
    else if (tag.fieldNumber === 2) setNonZero(into, "verb", reader.readString(tag));
    else reader.skip(tag);
  }
}

/** The attributes both access-review specs start with: resourceAttributes=1, nonResourceAttributes=2. */
function readAttributes(reader: WireReader, tag: FieldTag, into: JsonObject): boolean {
  if (tag.fieldNumber === 1) readResourceAttributes(reader.readMessage(tag, "ResourceAttributes"), memberObject(into, "resourceAttributes"));
  else if (tag.fieldNumber === 2) readNonResourceAttributes(reader.readMessage(tag, "NonResourceAttributes"), memberObject(into, "nonResourceAttributes"));
  else return false;
  return true;
}

function readSelfSpec(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    if (!readAttributes(reader, tag, into)) reader.skip(tag);
  }
}

/** ExtraValue: items=1; a map entry: key=1, value=2. */
function readExtraEntry(reader: WireReader, into: JsonObject): void {
  let key = "";
  const items: string[] = [];
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) key = reader.readString(tag);
    else if (tag.fieldNumber === 2) {
      const value = reader.readMessage(tag, "ExtraValue");
      while (!value.done) {
        const t = value.readTag();
        if (t.fieldNumber === 1) items.push(value.readString(t));
        else value.skip(t);
      }
    } else reader.skip(tag);
  }
  // defineProperty: a key such as __proto__ is data here, never the object's prototype.
  Object.defineProperty(into, key, { value: items, enumerable: true, writable: true, configurable: true });
}

/** SubjectAccessReviewSpec: the attributes, user=3, groups=4, extra=5, uid=6. */
function readSubjectSpec(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    if (readAttributes(reader, tag, into)) continue;
    if (tag.fieldNumber === 3) setNonZero(into, "user", reader.readString(tag));
    else if (tag.fieldNumber === 4) memberArray(into, "groups").push(reader.readString(tag));
    else if (tag.fieldNumber === 5) readExtraEntry(reader.readMessage(tag, "ExtraEntry"), memberObject(into, "extra"));
    else if (tag.fieldNumber === 6) setNonZero(into, "uid", reader.readString(tag));
    else reader.skip(tag);
  }
}

/** SelfSubjectRulesReviewSpec: namespace=1. */
function readRulesSpec(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) setNonZero(into, "namespace", reader.readString(tag));
    else reader.skip(tag);
  }
}

export const decodeSelfSubjectAccessReview = specObjectDecoder("SelfSubjectAccessReview", readSelfSpec);
export const decodeSubjectAccessReview = specObjectDecoder("SubjectAccessReview", readSubjectSpec);
export const decodeSelfSubjectRulesReview = specObjectDecoder("SelfSubjectRulesReview", readRulesSpec);
