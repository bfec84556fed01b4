/**
 * @module
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the signed
 * content is `${webhook-id}.${webhook-timestamp}.${body}`, the signature
 * `v1,<base64 HMAC-SHA256>` under a secret written `whsec_<base64 key>`;
 * `webhook-signature` may carry several space-separated signatures (secret
 * rotation). Web Crypto only, so the Worker and the Node agent share it.
 */
import { base64FromBytes, bytesFromBase64 } from "../k8s/base64.js";

/** The `whsec_` prefix of a signing secret. */
const SECRET_PREFIX = "whsec_";

function fromBase64(text: string): Uint8Array | undefined {
  try {
    return bytesFromBase64(text);
  } catch {
    return undefined;
  }
}

/** A fresh signing secret: 32 random bytes as `whsec_<base64>`. */
export function newSigningSecret(): string {
  return SECRET_PREFIX + base64FromBytes(crypto.getRandomValues(new Uint8Array(32)));
}

/** The key bytes of a `whsec_` secret (the prefix is optional, as in the reference libraries). */
function secretKey(secret: string): Uint8Array {
  const raw = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = fromBase64(raw);
  if (!key || key.length === 0) throw new Error("signing secret is not base64");
  return key;
}

async function hmac(secret: string, content: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", secretKey(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(content)));
}

/** The `v1,<base64>` signature of one message under one secret. */
export async function sign(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  return `v1,${base64FromBytes(await hmac(secret, `${id}.${timestamp}.${body}`))}`;
}

/** The three headers a signed webhook call carries; several secrets give several signatures. */
export async function signedHeaders(secrets: readonly string[], id: string, timestamp: number, body: string): Promise<Record<string, string>> {
  const signatures = await Promise.all(secrets.map((s) => sign(s, id, timestamp, body)));
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signatures.join(" ") };
}

/** Compares two byte strings in time independent of where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Whether any `v1,` signature in the header matches the message under any of
 * the secrets. Unknown versions are skipped, as the spec asks.
 */
export async function verifySignature(secrets: readonly string[], id: string, timestamp: string, body: string, header: string): Promise<boolean> {
  const given = header.split(" ").filter((s) => s.startsWith("v1,")).map((s) => fromBase64(s.slice(3)))
    .filter((b): b is Uint8Array => b !== undefined);
  if (given.length === 0) return false;
  let ok = false;
  for (const secret of secrets) {
    const expected = await hmac(secret, `${id}.${timestamp}.${body}`);
    // Check every pair, so timing says nothing about which secret or signature matched.
    for (const g of given) ok = constantTimeEqual(g, expected) || ok;
  }
  return ok;
}
