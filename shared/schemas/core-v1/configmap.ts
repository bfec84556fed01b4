/**
 * @module
 * `v1` ConfigMap: schema and `ValidateConfigMap` / `ValidateConfigMapUpdate`
 * as upstream has them: config keys in `data` and `binaryData` (a key in
 * only one of them), all values together at most 1 MiB, an immutable
 * ConfigMap's data kept and `immutable` never unset. No defaults, no status.
 *
 * @see https://github.com/kubernetes/kubernetes/blob/v1.32.0/pkg/apis/core/validation/validation.go (ValidateConfigMap, ValidateConfigMapUpdate)
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import type { KubeObject } from "../../k8s/object";
import { forbidden, invalidValue, tooLong, validateObjectMeta } from "../../k8s/validation";
import { asKind, typeAndObjectMeta, type KindStrategy } from "../meta";
import { CORE_V1 } from "./container";
import { base64Length, configKeyErrors, MAX_SECRET_SIZE, sameStrings } from "./secret";

/** `v1` ConfigMap. */
export const ConfigMapSchema = z
  .object({
    ...typeAndObjectMeta("ConfigMap"),
    data: z.record(z.string(), z.string()).optional().describe("Configuration data as UTF-8 strings; keys are config keys, none also in binaryData."),
    binaryData: z.record(z.string(), z.string()).optional().describe("Binary configuration data, each value base64-encoded; keys are config keys, none also in data."),
    immutable: z.boolean().optional().describe("When true, the data cannot change and `immutable` cannot be unset: only the ConfigMap's deletion."),
  })
  .meta({
    id: `${CORE_V1}.ConfigMap`,
    description: "ConfigMap holds configuration data for pods to consume.",
    "x-kubernetes-group-version-kind": [{ group: "", version: "v1", kind: "ConfigMap" }],
  });

/** A v1 ConfigMap. */
export type ConfigMap = z.infer<typeof ConfigMapSchema>;

/** `ValidateConfigMap` (on create and update) and `ValidateConfigMapUpdate` (given `old`). */
export function validateConfigMap(cm: ConfigMap, old?: ConfigMap): StatusCause[] {
  const causes = validateObjectMeta(cm.metadata as KubeObject["metadata"], { namespaced: true });
  let total = 0;
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    for (const msg of configKeyErrors(key)) causes.push(invalidValue(`data[${key}]`, key, msg));
    if (cm.binaryData && Object.hasOwn(cm.binaryData, key)) {
      causes.push(invalidValue(`data[${key}]`, key, "duplicate of key present in binaryData"));
    }
    total += new TextEncoder().encode(value).length;
  }
  for (const [key, value] of Object.entries(cm.binaryData ?? {})) {
    for (const msg of configKeyErrors(key)) causes.push(invalidValue(`binaryData[${key}]`, key, msg));
    const size = base64Length(value);
    if (typeof size === "number") total += size;
    else causes.push(invalidValue(`binaryData[${key}]`, value.slice(0, 16), `illegal base64 data at input byte ${size.illegalAt}`));
  }
  if (total > MAX_SECRET_SIZE) causes.push(tooLong("", MAX_SECRET_SIZE));
  if (old?.immutable === true) {
    if (cm.immutable !== true) causes.push(forbidden("immutable", "field is immutable when `immutable` is set"));
    if (!sameStrings(cm.data, old.data)) causes.push(forbidden("data", "field is immutable when `immutable` is set"));
    if (!sameStrings(cm.binaryData, old.binaryData)) causes.push(forbidden("binaryData", "field is immutable when `immutable` is set"));
  }
  return causes;
}

/** The ConfigMap strategy (no defaults). */
export const configMapStrategy: KindStrategy<typeof ConfigMapSchema> = {
  schema: ConfigMapSchema,
  applyDefaults(): void {},
  validate(obj: KubeObject, old?: KubeObject): StatusCause[] {
    return validateConfigMap(asKind<ConfigMap>(obj), old ? asKind<ConfigMap>(old) : undefined);
  },
};
