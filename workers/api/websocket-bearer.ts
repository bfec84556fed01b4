/**
 * @module
 * Bearer tokens in a WebSocket subprotocol, for clients that cannot set an
 * Authorization header on an upgrade (browsers): the apiserver's
 * `base64url.bearer.authorization.k8s.io.<token>` protocol
 * (k8s.io/apiserver/pkg/authentication/request/websocket/protocol.go). The
 * token is base64url without padding; the client must offer at least one
 * other subprotocol, which the server echoes instead of the one carrying
 * the token.
 */
import { bytesFromRawBase64Url } from "../../shared/k8s/base64";
import { unauthorized } from "../../shared/k8s/errors";

export const BEARER_PROTOCOL_PREFIX = "base64url.bearer.authorization.k8s.io.";

const PROTOCOL_HEADER = "sec-websocket-protocol";
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function isUpgrade(headers: Headers): boolean {
  return (headers.get("upgrade") ?? "").toLowerCase() === "websocket";
}

/** The offered subprotocols, in order. */
function offered(headers: Headers): string[] {
  return (headers.get(PROTOCOL_HEADER) ?? "").split(",").map((p) => p.trim()).filter((p) => p !== "");
}

function decodeToken(encoded: string): string {
  let bytes: Uint8Array;
  try {
    bytes = bytesFromRawBase64Url(encoded);
  } catch {
    throw unauthorized("invalid base64.bearer.authorization token encoding");
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw unauthorized("invalid base64.bearer.authorization token");
  }
}

/**
 * The Authorization header value a WebSocket upgrade carries in its
 * subprotocols (`Bearer <token>`), or undefined when it carries none.
 * Throws 401 for what upstream refuses: two tokens, a bad encoding, or a
 * token with no other subprotocol to echo back.
 */
export function websocketAuthorization(headers: Headers): string | undefined {
  if (!isUpgrade(headers)) return undefined;
  const tokens = offered(headers).filter((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  if (tokens.length === 0) return undefined;
  if (tokens.length > 1) throw unauthorized("multiple base64.bearer.authorization tokens specified");
  if (protocolsToEcho(headers).length === 0) throw unauthorized("missing additional subprotocol");
  const token = decodeToken((tokens[0] ?? "").slice(BEARER_PROTOCOL_PREFIX.length));
  return token === "" ? undefined : `Bearer ${token}`;
}

/** The offered subprotocols without the one carrying a token: what the server may echo. */
export function protocolsToEcho(headers: Headers): string[] {
  return offered(headers).filter((p) => !p.startsWith(BEARER_PROTOCOL_PREFIX));
}
