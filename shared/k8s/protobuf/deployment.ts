/**
 * @module
 * Decodes a protobuf apps/v1 `Deployment` (k8s.io/api/apps/v1/generated.proto:
 * metadata=1, spec=2 {replicas=1, selector=2, template=3, strategy=4
 * {type=1, rollingUpdate=2 {maxUnavailable=1, maxSurge=2}}, minReadySeconds=5,
 * revisionHistoryLimit=6, paused=7, progressDeadlineSeconds=9}, status=3), as
 * `kubectl create deployment` sends it. `intstr.IntOrString` is
 * {type=1 (0 int, 1 string), intVal=2, strVal=3}.
 */
import type { JsonObject } from "../object";
import { decodeIntOrString } from "./int-or-string";
import { decodeLabelSelector } from "./label-selector";
import { memberObject, setNonZero } from "./json-members";
import { decodePodTemplateSpec, skipZero } from "./pod-template";
import { specObjectDecoder } from "./spec-object";
import type { WireReader } from "./wire";

/** Reads a Deployment message into `{metadata, spec, status: {}}`; the controller fills status. */
export const decodeDeployment = specObjectDecoder("Deployment", decodeSpec);

function decodeSpec(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1: into.replicas = reader.readInt64(tag); break;
      case 2: into.selector = decodeLabelSelector(reader.readMessage(tag, "LabelSelector")); break;
      case 3: into.template = decodePodTemplateSpec(reader.readMessage(tag, "PodTemplateSpec")); break;
      case 4: decodeStrategy(reader.readMessage(tag, "DeploymentStrategy"), memberObject(into, "strategy")); break;
      case 5: setNonZero(into, "minReadySeconds", reader.readInt64(tag)); break;
      case 6: into.revisionHistoryLimit = reader.readInt64(tag); break;
      case 7: if (reader.readBool(tag)) into.paused = true; break;
      case 9: into.progressDeadlineSeconds = reader.readInt64(tag); break;
      default: skipZero(reader, tag, "DeploymentSpec");
    }
  }
}

function decodeStrategy(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) setNonZero(into, "type", reader.readString(tag));
    else if (tag.fieldNumber === 2) decodeRollingUpdate(reader.readMessage(tag, "RollingUpdateDeployment"), memberObject(into, "rollingUpdate"));
    else skipZero(reader, tag, "DeploymentStrategy");
  }
}

function decodeRollingUpdate(reader: WireReader, into: JsonObject): void {
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) into.maxUnavailable = decodeIntOrString(reader.readMessage(tag, "IntOrString"));
    else if (tag.fieldNumber === 2) into.maxSurge = decodeIntOrString(reader.readMessage(tag, "IntOrString"));
    else reader.skip(tag);
  }
}
