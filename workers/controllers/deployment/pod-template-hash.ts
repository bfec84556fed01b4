/**
 * @module
 * The `pod-template-hash` a Deployment gives each ReplicaSet it creates, and
 * template equality ignoring it (upstream `controller.ComputeHash`,
 * `deploymentutil.EqualIgnoreHash`).
 */
import { jsonEqual } from "../../../shared/k8s/json-value";
import { isJsonObject, type Json } from "../../../shared/k8s/object";
import type { PodTemplateSpec } from "../../../shared/schemas";

/** `apps.DefaultDeploymentUniqueLabelKey`. */
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

/** The alphabet of `rand.SafeEncodeString`: no vowels (no words) and no look-alikes (0, 1, 3). */
const SAFE_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

/** Canonical JSON: keys sorted, so the hash does not depend on the order fields were written in. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isJsonObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k] ?? null)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** 32-bit FNV-1a over the UTF-8 bytes of `text`, continuing from `hash`. */
function fnv1a32(text: string, hash = 0x811c9dc5): number {
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * `controller.ComputeHash`: FNV-32a of the template (here its canonical JSON
 * rather than Go's spew dump) plus the collision count, printed in decimal and
 * made safe with `SafeEncodeString`. Stable for one template; a collision
 * count moves it to a fresh name.
 * @example computeHash(template, undefined) // "5d8f7c9b6"
 */
export function computeHash(template: PodTemplateSpec, collisionCount: number | undefined): string {
  let hash = fnv1a32(canonical(template as unknown as Json));
  if (collisionCount !== undefined) hash = fnv1a32(String(collisionCount >>> 0), hash);
  return [...String(hash)].map((c) => SAFE_ALPHANUMS[c.charCodeAt(0) % SAFE_ALPHANUMS.length] ?? "").join("");
}

/** Drops nulls and empty lists and maps, as `equality.Semantic` treats nil and empty alike. */
function semantic(value: Json): Json | undefined {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map((v) => semantic(v) ?? null);
  if (isJsonObject(value)) {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) {
      const s = semantic(v);
      if (s !== undefined) out[k] = s;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/** The template without the pod-template-hash label. */
function withoutHash(template: PodTemplateSpec | undefined): Json {
  const copy = JSON.parse(JSON.stringify(template ?? {})) as PodTemplateSpec;
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return copy as unknown as Json;
}

/**
 * `EqualIgnoreHash`: whether two pod templates are equal once the
 * pod-template-hash label is removed (semantic: nil and empty alike).
 */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return jsonEqual(semantic(withoutHash(a)) ?? null, semantic(withoutHash(b)) ?? null);
}
