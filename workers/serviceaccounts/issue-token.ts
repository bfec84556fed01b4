/**
 * @module
 * Issuing a ServiceAccount token: the claims for an account (and the pod it
 * is bound to) signed with the active key. Times are whole seconds, as JWT
 * NumericDates; the expiration returned is the token's own `exp`.
 */
import type { KubeObject } from "../../shared/k8s/object";
import { claimsPayload, type ObjectClaim, type ServiceAccountClaims } from "./claims";
import { signJwt } from "./jwt";
import { signingKey } from "./signing-keys";
import { serviceAccountIssuer } from "./token-config";

/** What a token is issued for. */
export interface TokenGrant {
  serviceAccount: KubeObject;
  audiences: string[];
  expirationSeconds: number;
  pod?: KubeObject;
  /** The node of a bound pod: its name, and its uid when the Node exists. */
  node?: { name: string; uid?: string };
}

function objectClaim(obj: KubeObject): ObjectClaim {
  return { name: obj.metadata.name ?? "", uid: obj.metadata.uid ?? "" };
}

/** Signs a token for `grant` at time `now` (ms); answers it and when it expires (ms). */
export async function issueToken(env: Env, grant: TokenGrant, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
  const issuedAt = Math.floor(now / 1000);
  const claims: ServiceAccountClaims = {
    issuer: serviceAccountIssuer(env),
    audiences: grant.audiences,
    issuedAt,
    notBefore: issuedAt,
    expiry: issuedAt + grant.expirationSeconds,
    jti: crypto.randomUUID(),
    namespace: grant.serviceAccount.metadata.namespace ?? "",
    serviceAccount: objectClaim(grant.serviceAccount),
    ...(grant.pod ? { pod: objectClaim(grant.pod) } : {}),
    ...(grant.pod && grant.node ? { node: grant.node } : {}),
  };
  const key = await signingKey(env);
  return { token: await signJwt(claimsPayload(claims), key.privateKey, key.kid), expiresAt: claims.expiry * 1000 };
}
