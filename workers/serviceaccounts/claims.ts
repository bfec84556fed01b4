/**
 * @module
 * The claims of a ServiceAccount token, as upstream's `serviceaccount.Claims`
 * writes them (pkg/serviceaccount/claims.go, v1.32): `iss`, `sub`
 * (`system:serviceaccount:<ns>:<name>`), `aud`, `exp`, `iat`, `nbf`, `jti`
 * and the private `kubernetes.io` claim naming the namespace, the
 * ServiceAccount, and the pod (and its node) or secret the token is bound
 * to. `readClaims` is the other direction: a verified payload back into
 * typed claims, refusing any that is not shaped as we write it.
 */
import type { JwtPayload } from "./jwt";

/** The prefix of every ServiceAccount's username. */
export const SERVICE_ACCOUNT_USER_PREFIX = "system:serviceaccount:";
/** The group every ServiceAccount is in. */
export const SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";

/** A name and uid, as the `kubernetes.io` claim names objects. */
export interface ObjectClaim {
  name: string;
  uid: string;
}

/** What a ServiceAccount token says, once verified. */
export interface ServiceAccountClaims {
  issuer: string;
  audiences: string[];
  /** Seconds since the epoch. */
  issuedAt: number;
  notBefore: number;
  expiry: number;
  jti: string;
  namespace: string;
  serviceAccount: ObjectClaim;
  pod?: ObjectClaim;
  secret?: ObjectClaim;
  /** The node a bound pod ran on when the token was issued (uid empty when the Node was not found). */
  node?: { name: string; uid?: string };
}

/** `serviceaccount.MakeUsername`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

/** `serviceaccount.MakeGroupNames`. */
export function serviceAccountGroups(namespace: string): string[] {
  return [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`];
}

function ref(o: ObjectClaim): ObjectClaim {
  return { name: o.name, uid: o.uid };
}

/** The JWT payload of `claims`. */
export function claimsPayload(c: ServiceAccountClaims): JwtPayload {
  const kubernetes: Record<string, unknown> = {
    namespace: c.namespace,
    ...(c.node ? { node: { name: c.node.name, ...(c.node.uid ? { uid: c.node.uid } : {}) } } : {}),
    ...(c.pod ? { pod: ref(c.pod) } : {}),
    ...(c.secret ? { secret: ref(c.secret) } : {}),
    serviceaccount: ref(c.serviceAccount),
  };
  return {
    aud: c.audiences, exp: c.expiry, iat: c.issuedAt, iss: c.issuer, jti: c.jti,
    "kubernetes.io": kubernetes, nbf: c.notBefore,
    sub: serviceAccountUsername(c.namespace, c.serviceAccount.name),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function objectClaim(v: unknown): ObjectClaim | undefined {
  if (!isRecord(v) || typeof v.name !== "string" || v.name === "" || typeof v.uid !== "string" || v.uid === "") return undefined;
  return { name: v.name, uid: v.uid };
}

/** Typed claims from a verified payload; undefined when any is missing or malformed (the token is refused). */
export function readClaims(p: JwtPayload): ServiceAccountClaims | undefined {
  const k = p["kubernetes.io"];
  if (!isRecord(k) || typeof k.namespace !== "string" || k.namespace === "") return undefined;
  const serviceAccount = objectClaim(k.serviceaccount);
  if (!serviceAccount) return undefined;
  if (p.sub !== serviceAccountUsername(k.namespace, serviceAccount.name)) return undefined;
  const audiences = typeof p.aud === "string" ? [p.aud] : p.aud;
  if (!Array.isArray(audiences) || !audiences.every((a): a is string => typeof a === "string")) return undefined;
  const times = [p.exp, p.iat, p.nbf];
  if (!times.every((t): t is number => typeof t === "number" && Number.isFinite(t))) return undefined;
  if (typeof p.iss !== "string" || typeof p.jti !== "string") return undefined;
  const claims: ServiceAccountClaims = {
    issuer: p.iss, audiences, expiry: p.exp as number, issuedAt: p.iat as number, notBefore: p.nbf as number, jti: p.jti,
    namespace: k.namespace, serviceAccount,
  };
  if (k.pod !== undefined) {
    const pod = objectClaim(k.pod);
    if (!pod) return undefined;
    claims.pod = pod;
  }
  if (k.secret !== undefined) {
    const secret = objectClaim(k.secret);
    if (!secret) return undefined;
    claims.secret = secret;
  }
  if (isRecord(k.node) && typeof k.node.name === "string") {
    claims.node = { name: k.node.name, ...(typeof k.node.uid === "string" && k.node.uid ? { uid: k.node.uid } : {}) };
  }
  return claims;
}
