/**
 * @module
 * Bytes ⇄ base64 (and base64url), with the runtime's own atob/btoa, which
 * both Workers and Node have. Decoding throws on malformed input; callers
 * decide what that means.
 */

/** Standard base64 of `bytes`. */
export function base64FromBytes(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** The bytes of standard base64 `text`; throws if it is not base64. */
export function bytesFromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The bytes of unpadded base64url `text` (RFC 4648 §5, Go's RawURLEncoding); throws if it is not that. */
export function bytesFromRawBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not unpadded base64url");
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return bytesFromBase64(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
}
