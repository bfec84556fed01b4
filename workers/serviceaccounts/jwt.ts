/**
 * @module
 * Compact JWS (RFC 7515) with ES256 over WebCrypto: what ServiceAccount
 * tokens are. WebCrypto's ECDSA signature is already the JWS form (r ‖ s, 64
 * bytes), so no DER conversion is needed. Parsing refuses anything that is
 * not three unpadded base64url segments with a JSON object header and
 * payload, so a forged or mangled token is `undefined`, never an exception.
 */
import { bytesFromRawBase64Url } from "../../shared/k8s/base64";

/** The one algorithm tokens are signed and verified with. */
export const JWT_ALGORITHM = "ES256";
/** WebCrypto's parameters for ES256. */
export const ES256 = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** A JWT's payload: registered claims plus whatever else it carries. */
export type JwtPayload = Record<string, unknown>;

/** A parsed, not yet verified JWT. */
export interface ParsedJwt {
  header: { alg: string; kid?: string; typ?: string };
  payload: JwtPayload;
  /** The bytes the signature covers (`<header>.<payload>`). */
  signingInput: Uint8Array;
  signature: Uint8Array;
}

const SEGMENT = "[A-Za-z0-9_-]+";
const COMPACT = new RegExp(`^${SEGMENT}\\.${SEGMENT}\\.${SEGMENT}$`);

/**
 * Whether a bearer token is meant as a JWT: three base64url segments whose
 * first is a JSON header with an `alg`. Static tokens (random base64url or
 * hex, no dots) never are, so they keep going to D1.
 */
export function looksLikeJwt(token: string): boolean {
  return COMPACT.test(token) && typeof jsonSegment(token.slice(0, token.indexOf(".")))?.alg === "string";
}

/** Unpadded base64url of bytes. */
export function base64UrlFromBytes(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function jsonSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytesFromRawBase64Url(segment)));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Splits and decodes a compact JWS; undefined when it is not one. */
export function parseJwt(token: string): ParsedJwt | undefined {
  if (!COMPACT.test(token)) return undefined;
  const [h = "", p = "", s = ""] = token.split(".");
  const header = jsonSegment(h);
  const payload = jsonSegment(p);
  if (!header || !payload || typeof header.alg !== "string") return undefined;
  if (header.kid !== undefined && typeof header.kid !== "string") return undefined;
  let signature: Uint8Array;
  try {
    signature = bytesFromRawBase64Url(s);
  } catch {
    return undefined;
  }
  return {
    header: { alg: header.alg, ...(typeof header.kid === "string" ? { kid: header.kid } : {}) },
    payload,
    signingInput: new TextEncoder().encode(`${h}.${p}`),
    signature,
  };
}

/** Signs `payload` with an ES256 private key, naming the key `kid` in the header. */
export async function signJwt(payload: JwtPayload, key: CryptoKey, kid: string): Promise<string> {
  const encode = (v: unknown) => base64UrlFromBytes(new TextEncoder().encode(JSON.stringify(v)));
  const signingInput = `${encode({ alg: JWT_ALGORITHM, kid })}.${encode(payload)}`;
  const signature = await crypto.subtle.sign(ES256, key, new TextEncoder().encode(signingInput));
  return `${signingInput}.${base64UrlFromBytes(new Uint8Array(signature))}`;
}

/** Whether the signature of a parsed JWT verifies under `key` (ES256 only: `alg` is never trusted to pick another). */
export async function verifyJwtSignature(jwt: ParsedJwt, key: CryptoKey): Promise<boolean> {
  if (jwt.header.alg !== JWT_ALGORITHM || jwt.signature.length !== 64) return false;
  try {
    return await crypto.subtle.verify(ES256, key, jwt.signature, jwt.signingInput);
  } catch {
    return false;
  }
}
