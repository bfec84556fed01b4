/**
 * @module
 * The children a replica set creates from its template: upstream
 * `controller.GetPodFromTemplate` / `getPodsPrefix` and the VMI built in
 * KubeVirt's VMIRS `scale` / `getVirtualMachineBaseName`.
 */
import { deepCopy, isJsonObject, type JsonObject, type KubeObject, type ObjectMeta } from "../../../shared/k8s/object";
import { newControllerRef } from "./replicas";
import { specOf } from "../shared/object-fields";

// A DNS subdomain is at most 253 characters; upstream validates the prefix with its dash masked.
const MAX_NAME_LENGTH = 253;

function templateOf(owner: KubeObject): { metadata: JsonObject; spec: JsonObject } {
  const template = specOf(owner).template;
  const t = isJsonObject(template) ? template : {};
  return {
    metadata: isJsonObject(t.metadata) ? t.metadata : {},
    spec: isJsonObject(t.spec) ? t.spec : {},
  };
}

function stringMap(value: unknown): Record<string, string> | undefined {
  return isJsonObject(value) ? (deepCopy(value) as Record<string, string>) : undefined;
}

/** `getPodsPrefix`: `"<name>-"`, or the bare name when the dash would make it too long. */
export function getPodsPrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  return prefix.length > MAX_NAME_LENGTH ? controllerName : prefix;
}

/**
 * `GetPodFromTemplate` for a ReplicaSet: labels, annotations and finalizers
 * from the template, `generateName` from `getPodsPrefix`, the controller
 * reference, and a copy of the template's spec.
 */
export function getPodFromTemplate(rs: KubeObject): KubeObject {
  const { metadata, spec } = templateOf(rs);
  const meta: ObjectMeta = { generateName: getPodsPrefix(rs.metadata.name ?? "") };
  if (rs.metadata.namespace !== undefined) meta.namespace = rs.metadata.namespace;
  const labels = stringMap(metadata.labels);
  if (labels !== undefined) meta.labels = labels;
  const annotations = stringMap(metadata.annotations);
  if (annotations !== undefined) meta.annotations = annotations;
  if (Array.isArray(metadata.finalizers)) meta.finalizers = metadata.finalizers.filter((f) => typeof f === "string");
  meta.ownerReferences = [newControllerRef(rs)];
  return { apiVersion: "v1", kind: "Pod", metadata: meta, spec: deepCopy(spec) };
}

/** `getVirtualMachineBaseName`: template name, else template generateName, else the set's name (no dash added). */
export function getVirtualMachineBaseName(vmirs: KubeObject): string {
  const { metadata } = templateOf(vmirs);
  if (typeof metadata.name === "string" && metadata.name !== "") return metadata.name;
  if (typeof metadata.generateName === "string" && metadata.generateName !== "") return metadata.generateName;
  return vmirs.metadata.name ?? "";
}

/**
 * The VMI KubeVirt's VMIRS `scale` creates: the template's metadata with
 * name cleared, `generateName` from `getVirtualMachineBaseName`, the
 * template's labels, the controller reference; the template's spec.
 */
export function getVMIFromTemplate(vmirs: KubeObject): KubeObject {
  const { metadata, spec } = templateOf(vmirs);
  const meta = deepCopy(metadata) as ObjectMeta;
  delete meta.name;
  meta.generateName = getVirtualMachineBaseName(vmirs);
  if (vmirs.metadata.namespace !== undefined) meta.namespace = vmirs.metadata.namespace;
  meta.ownerReferences = [newControllerRef(vmirs)];
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: meta, spec: deepCopy(spec) };
}
