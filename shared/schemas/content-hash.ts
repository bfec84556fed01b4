/**
 * @module
 * A stable, synchronous content hash for OpenAPI documents: the `?hash=`
 * value of `/openapi/v3`, which lets kubectl cache a group-version document
 * until it changes. Upstream uses SHA-512; clients treat the value as opaque.
 */

/** JSON with object keys sorted, so equal documents hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const obj = value as Record<string, unknown>;
    const members = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * A 128-bit hash (four FNV-1a lanes with distinct offsets) of the value's
 * canonical JSON, as 32 upper-case hex digits.
 */
export function openApiHash(value: unknown): string {
  const text = canonicalJson(value);
  const lanes = [0x811c9dc5, 0x050c5d1f, 0x2f7a1d43, 0x6b43a9b5];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    for (let l = 0; l < lanes.length; l++) {
      lanes[l] = Math.imul((lanes[l] ?? 0) ^ (c + l), 0x01000193) >>> 0;
    }
  }
  return lanes.map((h) => h.toString(16).padStart(8, "0")).join("").toUpperCase();
}
