/**
 * @module
 * Decodes protobuf `rbac.authorization.k8s.io/v1` Role, ClusterRole,
 * RoleBinding and ClusterRoleBinding (k8s.io/api/rbac/v1/generated.proto),
 * which `kubectl create role|clusterrole|rolebinding|clusterrolebinding` send:
 * Role {metadata=1, rules=2}, ClusterRole {metadata=1, rules=2, aggregationRule=3},
 * (Cluster)RoleBinding {metadata=1, subjects=2, roleRef=3},
 * PolicyRule {verbs=1, apiGroups=2, resources=3, resourceNames=4, nonResourceURLs=5},
 * Subject {kind=1, apiGroup=2, name=3, namespace=4}, RoleRef {apiGroup=1, kind=2, name=3},
 * AggregationRule {clusterRoleSelectors=1}.
 */
import { isJsonObject, type JsonObject } from "../object";
import { memberArray, setNonZero } from "./json-members";
import { decodeLabelSelector } from "./label-selector";
import { decodeObjectMeta } from "./object-meta";
import type { WireReader } from "./wire";

/** A Role message into `{metadata, rules}`; rules are left out when none were sent. */
export function decodeRole(reader: WireReader): JsonObject {
  return decodeRoleMessage(reader, false);
}

/** A ClusterRole message into `{metadata, rules, aggregationRule}`. */
export function decodeClusterRole(reader: WireReader): JsonObject {
  return decodeRoleMessage(reader, true);
}

function decodeRoleMessage(reader: WireReader, cluster: boolean): JsonObject {
  const metadata: JsonObject = {};
  const out: JsonObject = { metadata };
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) decodeObjectMeta(reader.readMessage(tag, "ObjectMeta"), metadata);
    else if (tag.fieldNumber === 2) memberArray(out, "rules").push(decodePolicyRule(reader.readMessage(tag, "PolicyRule")));
    else if (tag.fieldNumber === 3 && cluster) decodeAggregationRule(reader.readMessage(tag, "AggregationRule"), out);
    else reader.skip(tag);
  }
  return out;
}

/** The string list fields of a PolicyRule, by field number (all `omitempty` but verbs). */
const RULE_LISTS: Readonly<Record<number, string>> = {
  1: "verbs",
  2: "apiGroups",
  3: "resources",
  4: "resourceNames",
  5: "nonResourceURLs",
};

function decodePolicyRule(reader: WireReader): JsonObject {
  const rule: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    const field = RULE_LISTS[tag.fieldNumber];
    if (field) memberArray(rule, field).push(reader.readString(tag));
    else reader.skip(tag);
  }
  return rule;
}

/** A repeated aggregationRule merges, as Go's Unmarshal does for a message field. */
function decodeAggregationRule(reader: WireReader, into: JsonObject): void {
  const existing = into.aggregationRule;
  const rule: JsonObject = isJsonObject(existing) ? existing : {};
  into.aggregationRule = rule;
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) memberArray(rule, "clusterRoleSelectors").push(decodeLabelSelector(reader.readMessage(tag, "LabelSelector")));
    else reader.skip(tag);
  }
}

/** A RoleBinding or ClusterRoleBinding message into `{metadata, subjects, roleRef}`; roleRef is always present (a struct). */
export function decodeBinding(reader: WireReader): JsonObject {
  const metadata: JsonObject = {};
  const roleRef: JsonObject = { apiGroup: "", kind: "", name: "" };
  const out: JsonObject = { metadata };
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) decodeObjectMeta(reader.readMessage(tag, "ObjectMeta"), metadata);
    else if (tag.fieldNumber === 2) memberArray(out, "subjects").push(decodeSubject(reader.readMessage(tag, "Subject")));
    else if (tag.fieldNumber === 3) decodeRoleRef(reader.readMessage(tag, "RoleRef"), roleRef);
    else reader.skip(tag);
  }
  out.roleRef = roleRef;
  return out;
}

/** Subject: kind and name have no `omitempty`, apiGroup and namespace do. */
function decodeSubject(reader: WireReader): JsonObject {
  const subject: JsonObject = { kind: "", name: "" };
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        subject.kind = reader.readString(tag);
        break;
      case 2:
        setNonZero(subject, "apiGroup", reader.readString(tag));
        break;
      case 3:
        subject.name = reader.readString(tag);
        break;
      case 4:
        setNonZero(subject, "namespace", reader.readString(tag));
        break;
      default:
        reader.skip(tag);
    }
  }
  return subject;
}

const REF_FIELDS: Readonly<Record<number, string>> = { 1: "apiGroup", 2: "kind", 3: "name" };

function decodeRoleRef(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    const field = REF_FIELDS[tag.fieldNumber];
    if (field) into[field] = reader.readString(tag);
    else reader.skip(tag);
  }
}
