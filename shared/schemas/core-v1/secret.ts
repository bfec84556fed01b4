/**
 * @module
 * `v1` Secret: schema, the `stringData` fold and `ValidateSecret` /
 * `ValidateSecretUpdate` as upstream has them.
 *
 * - `stringData` is write-only: each entry is stored base64-encoded under
 *   `data` (winning over a `data` entry of the same key) and never returned,
 *   as upstream's conversion does before validation.
 * - `type` defaults to `Opaque` and never changes; an `immutable: true`
 *   Secret keeps its data and stays immutable.
 * - Keys are config keys (`[-._a-zA-Z0-9]+`, at most 253 bytes, not `.`,
 *   `..` or starting with `..`); all values together at most 1 MiB; the
 *   well-known types require their keys.
 * - A `data` value that is not base64 is refused here with Go's
 *   decoder's words (upstream refuses it while decoding the body, 400;
 *   here it is a 422 Invalid on that key).
 *
 * @see https://github.com/kubernetes/kubernetes/blob/v1.32.0/pkg/apis/core/validation/validation.go (ValidateSecret, ValidateSecretUpdate)
 */
import { z } from "zod";
import { base64FromBytes } from "../../k8s/base64";
import type { StatusCause } from "../../k8s/errors";
import type { KubeObject } from "../../k8s/object";
import { forbidden, invalidValue, required, tooLong, validateObjectMeta } from "../../k8s/validation";
import { asKind, typeAndObjectMeta, type KindStrategy } from "../meta";
import { CORE_V1 } from "./container";

/** corev1.MaxSecretSize: every value of `data`, decoded, together. */
export const MAX_SECRET_SIZE = 1024 * 1024;

/** Keys the well-known Secret types require (corev1 constants). */
const REQUIRED_KEYS: Readonly<Record<string, readonly string[]>> = {
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
};

/** The annotation a service-account-token Secret names its ServiceAccount by. */
const SERVICE_ACCOUNT_NAME_KEY = "kubernetes.io/service-account.name";

/** `v1` Secret. */
export const SecretSchema = z
  .object({
    ...typeAndObjectMeta("Secret"),
    data: z
      .record(z.string(), z.string())
      .optional()
      .describe("The secret data, each value base64-encoded. Keys: alphanumerics, '-', '_' or '.'; all values together at most 1 MiB."),
    stringData: z
      .record(z.string(), z.string())
      .optional()
      .describe("Write-only plain-text data, stored base64-encoded under `data` (winning over a `data` entry of the same key); never returned."),
    type: z.string().optional().describe("Used to ease programmatic handling of secret data (`Opaque` by default); cannot change."),
    immutable: z.boolean().optional().describe("When true, the data cannot change and `immutable` cannot be unset: only the Secret's deletion."),
  })
  .meta({
    id: `${CORE_V1}.Secret`,
    description: "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.",
    "x-kubernetes-group-version-kind": [{ group: "", version: "v1", kind: "Secret" }],
  });

/** A v1 Secret. */
export type Secret = z.infer<typeof SecretSchema>;

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_MESSAGE =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** `IsConfigMapKey`: what is wrong with a data key, if anything. */
export function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (new TextEncoder().encode(key).length > 253) errs.push("must be no more than 253 characters");
  if (!CONFIG_KEY.test(key)) errs.push(CONFIG_KEY_MESSAGE);
  if (key === ".") errs.push("must not be '.'");
  else if (key === "..") errs.push("must not be '..'");
  else if (key.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decoded length of standard base64, or the offset Go's decoder would stop at ("illegal base64 data at input byte N"). */
export function base64Length(value: string): number | { illegalAt: number } {
  if (!BASE64.test(value)) {
    const at = [...value].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c));
    return { illegalAt: at >= 0 ? at : value.indexOf("=") };
  }
  if (value.length % 4 !== 0) return { illegalAt: value.length - (value.length % 4) };
  const padding = value.endsWith("==") ? 2 : value.endsWith("=") ? 1 : 0;
  return (value.length / 4) * 3 - padding;
}

/** Folds write-only `stringData` into `data` and defaults `type` (upstream's conversion and defaulter). */
export function foldStringData(secret: Secret): void {
  if (secret.stringData) {
    const data = { ...(secret.data ?? {}) };
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = base64FromBytes(new TextEncoder().encode(v));
    secret.data = data;
    delete secret.stringData;
  }
  if (secret.type === undefined || secret.type === "") secret.type = "Opaque";
}

/** `ValidateSecret` (on create and update) and `ValidateSecretUpdate` (given `old`). */
export function validateSecret(secret: Secret, old?: Secret): StatusCause[] {
  const causes = validateObjectMeta(secret.metadata as KubeObject["metadata"], { namespaced: true });
  const data = secret.data ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const msg of configKeyErrors(key)) causes.push(invalidValue(`data[${key}]`, key, msg));
    const size = base64Length(value);
    if (typeof size === "number") total += size;
    else causes.push(invalidValue(`data[${key}]`, "<secret contents redacted>", `illegal base64 data at input byte ${size.illegalAt}`));
  }
  if (total > MAX_SECRET_SIZE) causes.push(tooLong("data", MAX_SECRET_SIZE));
  const type = secret.type ?? "Opaque";
  for (const key of REQUIRED_KEYS[type] ?? []) {
    if (!Object.hasOwn(data, key)) causes.push(required(`data[${key}]`));
  }
  if (type === "kubernetes.io/basic-auth" && !Object.hasOwn(data, "username") && !Object.hasOwn(data, "password")) {
    causes.push(required("data[username]"), required("data[password]"));
  }
  if (type === "kubernetes.io/service-account-token" && !secret.metadata.annotations?.[SERVICE_ACCOUNT_NAME_KEY]) {
    causes.push(required(`metadata.annotations[${SERVICE_ACCOUNT_NAME_KEY}]`));
  }
  if (old) causes.push(...validateSecretUpdate(secret, old));
  return causes;
}

/** Whether two string maps hold the same entries (an absent map is an empty one). */
export function sameStrings(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b ?? {}).length && ak.every((k) => Object.hasOwn(b ?? {}, k) && (b ?? {})[k] === (a ?? {})[k]);
}

function validateSecretUpdate(secret: Secret, old: Secret): StatusCause[] {
  const causes: StatusCause[] = [];
  if ((secret.type ?? "Opaque") !== (old.type ?? "Opaque")) causes.push(invalidValue("type", secret.type ?? "", "field is immutable"));
  if (old.immutable === true) {
    if (secret.immutable !== true) causes.push(forbidden("immutable", "field is immutable when `immutable` is set"));
    if (!sameStrings(secret.data, old.data)) causes.push(forbidden("data", "field is immutable when `immutable` is set"));
  }
  return causes;
}

/** The Secret strategy: stringData folded into data, type defaulted, then validated. */
export const secretStrategy: KindStrategy<typeof SecretSchema> = {
  schema: SecretSchema,
  applyDefaults(obj: KubeObject): void {
    foldStringData(asKind<Secret>(obj));
  },
  validate(obj: KubeObject, old?: KubeObject): StatusCause[] {
    return validateSecret(asKind<Secret>(obj), old ? asKind<Secret>(old) : undefined);
  },
};
