/**
 * @module
 * Authentication of ServiceAccount tokens (upstream's JWT token
 * authenticator with the bound-token validator, pkg/serviceaccount/jwt.go
 * and claims.go): the signature against the cached keys, `iss`, `aud`,
 * `exp`/`nbf`/`iat` with go-jose's one-minute leeway, then that the
 * ServiceAccount — and the pod a token is bound to — still exists with the
 * uid the token names. Nothing here reads D1 per request: keys are cached
 * per isolate (signing-keys.ts), verified tokens too, and each object's
 * existence is read from its store at most once per LIVENESS_MS per isolate
 * (a bounded LRU), so deleting a ServiceAccount ends its tokens within about
 * a second. A refused token is a 401 and counts against its source's
 * failure limit, like any bad token.
 */
import { AUTHENTICATED_GROUP } from "../../shared/hosts/constants";
import { unauthorized } from "../../shared/k8s/errors";
import { findObject } from "../objects/client";
import type { UserInfo } from "../api/auth";
import { recordFailure, refuseIfLimited } from "../api/auth-limits";
import { LruCache } from "../api/lru-cache";
import { readClaims, serviceAccountGroups, serviceAccountUsername, type ObjectClaim, type ServiceAccountClaims } from "./claims";
import { parseJwt, verifyJwtSignature } from "./jwt";
import { verificationKey } from "./signing-keys";
import { apiAudiences, serviceAccountIssuer } from "./token-config";

/** go-jose's DefaultLeeway, which upstream's validator applies to exp, nbf and iat, and to deletions. */
const LEEWAY_S = 60;
/** How long one read of an object's existence is trusted in an isolate. */
const LIVENESS_MS = 1000;
const LIVENESS_CAPACITY = 10_000;
/** Tokens whose signature and claims verified lately (their liveness is still checked every time). */
const VERIFIED_CAPACITY = 1000;

/** user.Info extra keys upstream's ServiceAccountInfo sets. */
export const EXTRA_CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";
export const EXTRA_POD_NAME = "authentication.kubernetes.io/pod-name";
export const EXTRA_POD_UID = "authentication.kubernetes.io/pod-uid";
export const EXTRA_NODE_NAME = "authentication.kubernetes.io/node-name";
export const EXTRA_NODE_UID = "authentication.kubernetes.io/node-uid";

/** An object as the validator needs it: its uid and when its deletion started (ms), if it did. */
interface Liveness {
  uid: string;
  deletingSince?: number;
}

const liveness = new LruCache<string, Promise<Liveness | null>>(LIVENESS_CAPACITY);
const verified = new LruCache<string, ServiceAccountClaims>(VERIFIED_CAPACITY);

function live(env: Env, resource: string, namespace: string, name: string, now: number): Promise<Liveness | null> {
  const key = `${resource}/${namespace}/${name}`;
  const hit = liveness.get(key, now);
  if (hit) return hit;
  // The promise itself is cached, so concurrent requests for one account share one read.
  const read = (async (): Promise<Liveness | null> => {
    try {
      const obj = await findObject(env, { resource, namespace, name });
      if (!obj) return null;
      const deleting = obj.metadata.deletionTimestamp ? Date.parse(obj.metadata.deletionTimestamp) : undefined;
      return { uid: obj.metadata.uid ?? "", ...(deleting !== undefined ? { deletingSince: deleting } : {}) };
    } catch (err) {
      liveness.delete(key); // a failed read is not an answer: the next request reads again
      throw err;
    }
  })();
  liveness.set(key, read, now + LIVENESS_MS);
  return read;
}

/** Whether `ref` still names the object it named when the token was issued. */
async function stillExists(env: Env, resource: string, namespace: string, ref: ObjectClaim, now: number): Promise<boolean> {
  const obj = await live(env, resource, namespace, ref.name, now);
  if (!obj || obj.uid !== ref.uid) return false;
  return obj.deletingSince === undefined || obj.deletingSince >= now - LEEWAY_S * 1000;
}

/** Signature, issuer, audience and times; the claims when all hold. */
async function verifyToken(env: Env, token: string, now: number): Promise<ServiceAccountClaims | undefined> {
  const cached = verified.get(token, now);
  if (cached) return cached;
  const jwt = parseJwt(token);
  if (!jwt?.header.kid) return undefined;
  const key = await verificationKey(env, jwt.header.kid, now);
  if (!key || !(await verifyJwtSignature(jwt, key))) return undefined;
  const claims = readClaims(jwt.payload);
  if (!claims || claims.issuer !== serviceAccountIssuer(env)) return undefined;
  const audiences = apiAudiences(env);
  if (!claims.audiences.some((a) => audiences.includes(a))) return undefined;
  const nowS = now / 1000;
  if (nowS > claims.expiry + LEEWAY_S || nowS < claims.notBefore - LEEWAY_S || claims.issuedAt > nowS + LEEWAY_S) return undefined;
  verified.set(token, claims, (claims.expiry + LEEWAY_S) * 1000);
  return claims;
}

/** upstream's ServiceAccountInfo.UserInfo(), plus system:authenticated. */
function userInfo(c: ServiceAccountClaims): UserInfo {
  const extra: Record<string, string[]> = { [EXTRA_CREDENTIAL_ID]: [`JTI=${c.jti}`] };
  if (c.pod) Object.assign(extra, { [EXTRA_POD_NAME]: [c.pod.name], [EXTRA_POD_UID]: [c.pod.uid] });
  if (c.pod && c.node) {
    extra[EXTRA_NODE_NAME] = [c.node.name];
    if (c.node.uid) extra[EXTRA_NODE_UID] = [c.node.uid];
  }
  return {
    username: serviceAccountUsername(c.namespace, c.serviceAccount.name),
    uid: c.serviceAccount.uid,
    groups: [...serviceAccountGroups(c.namespace), AUTHENTICATED_GROUP],
    extra,
  };
}

/** The ServiceAccount a token authenticates, or undefined when it does not (any reason: the caller answers 401). */
export async function verifyServiceAccountToken(env: Env, token: string, now = Date.now()): Promise<UserInfo | undefined> {
  const claims = await verifyToken(env, token, now);
  if (!claims) return undefined;
  const ns = claims.namespace;
  if (!(await stillExists(env, "/serviceaccounts", ns, claims.serviceAccount, now))) return undefined;
  // Secrets are not served here, so a secret-bound token (never issued) names nothing that exists.
  if (claims.secret) return undefined;
  if (claims.pod && !(await stillExists(env, "/pods", ns, claims.pod, now))) return undefined;
  return userInfo(claims);
}

/**
 * authenticate()'s branch for JWT bearer tokens: a token that verified lately
 * passes the per-source failure limit (as accepted static tokens do); any
 * other is checked against it first, and a refusal counts as a failure.
 */
export async function authenticateServiceAccountToken(env: Env, token: string, source: string, now = Date.now()): Promise<UserInfo> {
  if (!verified.get(token, now)) refuseIfLimited(source, now);
  const user = await verifyServiceAccountToken(env, token, now);
  if (!user) {
    recordFailure(source, now);
    throw unauthorized();
  }
  return user;
}
