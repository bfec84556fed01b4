/**
 * @module
 * Decodes a protobuf core/v1 `PodTemplateSpec` (metadata=1, spec=2) as far as
 * typed clients fill it when they build a workload from flags (`kubectl
 * create deployment --image --port -- command`): the PodSpec's scalar
 * settings and containers with name, image, command, args, workingDir,
 * ports, env values, resources and the pull/TTY flags. gogo writes every
 * non-pointer field, so zero values are read and dropped (`omitempty`); any
 * other field carrying data is refused with 415 rather than silently lost.
 * Field numbers: k8s.io/api/core/v1/generated.proto.
 */
import { unsupportedMediaType } from "../errors";
import type { Json, JsonObject } from "../object";
import { memberArray, memberObject, setNonZero } from "./json-members";
import { decodeObjectMeta } from "./object-meta";
import { decodeResourceListEntry } from "./resourcequota";
import { WIRE_TYPE, type FieldTag, type WireReader } from "./wire";

/** Skips a field that is only ever its zero value here; refuses one that carries data. */
export function skipZero(reader: WireReader, tag: FieldTag, where: string): void {
  const empty =
    tag.wireType === WIRE_TYPE.LEN ? reader.readBytes(tag).length === 0 :
    tag.wireType === WIRE_TYPE.VARINT ? reader.readVarint() === 0n :
    tag.wireType === WIRE_TYPE.I64 ? reader.readFixed64() === 0n : reader.readFixed32() === 0;
  if (!empty) {
    throw unsupportedMediaType(
      `protobuf field ${tag.fieldNumber} of ${where} is not decoded by this server; send the object as application/json`,
    );
  }
}

function setTrue(into: JsonObject, key: string, value: boolean): void {
  if (value) into[key] = true;
}

/** A `map<string,string>` entry (key=1, value=2). */
function decodeStringMapEntry(reader: WireReader, into: JsonObject): void {
  let key = "";
  let value = "";
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) key = reader.readString(tag);
    else if (tag.fieldNumber === 2) value = reader.readString(tag);
    else reader.skip(tag);
  }
  into[key] = value;
}

function decodeContainerPort(reader: WireReader): Json {
  const port: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) setNonZero(port, "name", reader.readString(tag));
    else if (tag.fieldNumber === 2) setNonZero(port, "hostPort", reader.readInt64(tag));
    else if (tag.fieldNumber === 3) port.containerPort = reader.readInt64(tag);
    else if (tag.fieldNumber === 4) setNonZero(port, "protocol", reader.readString(tag));
    else if (tag.fieldNumber === 5) setNonZero(port, "hostIP", reader.readString(tag));
    else skipZero(reader, tag, "ContainerPort");
  }
  return port;
}

function decodeEnvVar(reader: WireReader): Json {
  const env: JsonObject = { name: "" };
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) env.name = reader.readString(tag);
    else if (tag.fieldNumber === 2) setNonZero(env, "value", reader.readString(tag));
    else skipZero(reader, tag, "EnvVar");
  }
  return env;
}

function decodeResources(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) decodeResourceListEntry(reader.readMessage(tag, "ResourceList"), memberObject(into, "limits"));
    else if (tag.fieldNumber === 2) decodeResourceListEntry(reader.readMessage(tag, "ResourceList"), memberObject(into, "requests"));
    else skipZero(reader, tag, "ResourceRequirements");
  }
}

function decodeContainer(reader: WireReader): Json {
  const c: JsonObject = { name: "" };
  const resources: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1: c.name = reader.readString(tag); break;
      case 2: setNonZero(c, "image", reader.readString(tag)); break;
      case 3: memberArray(c, "command").push(reader.readString(tag)); break;
      case 4: memberArray(c, "args").push(reader.readString(tag)); break;
      case 5: setNonZero(c, "workingDir", reader.readString(tag)); break;
      case 6: memberArray(c, "ports").push(decodeContainerPort(reader.readMessage(tag, "ContainerPort"))); break;
      case 7: memberArray(c, "env").push(decodeEnvVar(reader.readMessage(tag, "EnvVar"))); break;
      case 8: decodeResources(reader.readMessage(tag, "ResourceRequirements"), resources); break;
      case 13: setNonZero(c, "terminationMessagePath", reader.readString(tag)); break;
      case 14: setNonZero(c, "imagePullPolicy", reader.readString(tag)); break;
      case 16: setTrue(c, "stdin", reader.readBool(tag)); break;
      case 17: setTrue(c, "stdinOnce", reader.readBool(tag)); break;
      case 18: setTrue(c, "tty", reader.readBool(tag)); break;
      case 20: setNonZero(c, "terminationMessagePolicy", reader.readString(tag)); break;
      default: skipZero(reader, tag, "Container");
    }
  }
  // encoding/json writes the non-pointer `resources` struct always.
  c.resources = resources;
  return c;
}

function decodePodSpec(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 2: memberArray(into, "containers").push(decodeContainer(reader.readMessage(tag, "Container"))); break;
      case 3: setNonZero(into, "restartPolicy", reader.readString(tag)); break;
      case 4: into.terminationGracePeriodSeconds = reader.readInt64(tag); break;
      case 6: setNonZero(into, "dnsPolicy", reader.readString(tag)); break;
      case 7: decodeStringMapEntry(reader.readMessage(tag, "nodeSelector entry"), memberObject(into, "nodeSelector")); break;
      case 8: setNonZero(into, "serviceAccountName", reader.readString(tag)); break;
      case 9: setNonZero(into, "serviceAccount", reader.readString(tag)); break;
      case 10: setNonZero(into, "nodeName", reader.readString(tag)); break;
      case 11: setTrue(into, "hostNetwork", reader.readBool(tag)); break;
      case 12: setTrue(into, "hostPID", reader.readBool(tag)); break;
      case 13: setTrue(into, "hostIPC", reader.readBool(tag)); break;
      case 19: setNonZero(into, "schedulerName", reader.readString(tag)); break;
      case 20: memberArray(into, "initContainers").push(decodeContainer(reader.readMessage(tag, "Container"))); break;
      case 24: setNonZero(into, "priorityClassName", reader.readString(tag)); break;
      default: skipZero(reader, tag, "PodSpec");
    }
  }
  // encoding/json writes `containers` (no omitempty) even when empty.
  memberArray(into, "containers");
}

/** Reads a PodTemplateSpec message into `{metadata, spec}`. */
export function decodePodTemplateSpec(reader: WireReader): JsonObject {
  const metadata: JsonObject = {};
  const spec: JsonObject = {};
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) decodeObjectMeta(reader.readMessage(tag, "ObjectMeta"), metadata);
    else if (tag.fieldNumber === 2) decodePodSpec(reader.readMessage(tag, "PodSpec"), spec);
    else reader.skip(tag);
  }
  return { metadata, spec };
}
