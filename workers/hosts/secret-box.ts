/**
 * @module
 * Encryption at rest for secrets the server must be able to read back
 * (webhook signing secrets): AES-256-GCM under the SECRETS_KEY Worker secret,
 * a fresh 12-byte IV per value, stored as base64(iv ‖ ciphertext). The row id
 * is bound in as additional data, so a ciphertext copied to another row does
 * not decrypt.
 */
import { base64FromBytes, bytesFromBase64 } from "../../shared/k8s/base64";
import { ApiError } from "../../shared/k8s/errors";

const IV_BYTES = 12;
const keys = new Map<string, Promise<CryptoKey>>();

/** The configured key, or a 503 saying how to configure it. */
function key(env: Env): Promise<CryptoKey> {
  const raw = env.SECRETS_KEY;
  let bytes: Uint8Array | undefined;
  try {
    bytes = raw ? bytesFromBase64(raw) : undefined;
  } catch {
    bytes = undefined;
  }
  if (!raw || bytes?.length !== 32) {
    throw new ApiError(503, "ServiceUnavailable",
      "SECRETS_KEY is not configured: set a Worker secret holding base64 of 32 random bytes (wrangler secret put SECRETS_KEY)");
  }
  let k = keys.get(raw);
  if (!k) {
    k = crypto.subtle.importKey("raw", bytes, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
    keys.set(raw, k);
  }
  return k;
}

/** Encrypts `plaintext` for the row `id`. */
export async function seal(env: Env, id: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(id) },
    await key(env),
    new TextEncoder().encode(plaintext),
  );
  const out = new Uint8Array(IV_BYTES + ct.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ct), IV_BYTES);
  return base64FromBytes(out);
}

/** Decrypts a value `seal` made for row `id`; undefined when it does not decrypt (wrong key or row). */
export async function open(env: Env, id: string, sealed: string): Promise<string | undefined> {
  try {
    const bytes = bytesFromBase64(sealed);
    const pt = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.slice(0, IV_BYTES), additionalData: new TextEncoder().encode(id) },
      await key(env),
      bytes.slice(IV_BYTES),
    );
    return new TextDecoder().decode(pt);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    return undefined;
  }
}
