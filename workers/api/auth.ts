/**
 * @module
 * Bearer-token authentication against D1. Tokens are compared by SHA-256
 * hash; short per-isolate caches (least recently used evicted first, found and
 * not-found answers apart) keep D1 off the hot path while a revoked token
 * stops working within seconds and an expired one at its expiry, and
 * failures are limited per source.
 */
import { and, eq, gt, isNull, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { tokens } from "../../shared/db/schema";
import { ADMIN_GROUP, AUTHENTICATED_GROUP } from "../../shared/hosts/constants";
import { forbidden, unauthorized } from "../../shared/k8s/errors";
import { recordFailure, refuseIfLimited } from "./auth-limits";
import { LruCache } from "./lru-cache";
import { looksLikeJwt } from "../serviceaccounts/jwt";
import { authenticateServiceAccountToken } from "../serviceaccounts/token-authenticator";

/** The authenticated caller (user.Info). */
export interface UserInfo {
  username: string;
  groups: string[];
  /** A stable id (a ServiceAccount's uid; Impersonate-Uid), when the identity has one. */
  uid?: string;
  /** Extra attributes (user.Info's Extra: a bound token's pod, Impersonate-Extra-*). */
  extra?: Record<string, string[]>;
  /** For a host agent: the Node its token is bound to (NodeRestriction fences it to that Node). */
  node?: string;
}

/** How long a lookup, found or not, is trusted (a revocation elsewhere takes effect within this). */
const CACHE_MS = 5000;
/** Known tokens cached per isolate; the least recently used go first. */
const KNOWN_CAPACITY = 1000;
/** Unknown tokens cached per isolate, apart, so a flood of bad tokens cannot push out the good ones. */
const UNKNOWN_CAPACITY = 1000;
const known = new LruCache<string, UserInfo>(KNOWN_CAPACITY);
const unknown = new LruCache<string, true>(UNKNOWN_CAPACITY);
/**
 * Tokens accepted lately pass the per-source failure limit: a flood of bad
 * tokens from an address (a NAT, a CI runner) must not lock out the people
 * who share it. They are still looked up again once their CACHE_MS is over.
 */
const VOUCHED_MS = 10 * 60 * 1000;
const vouched = new LruCache<string, true>(KNOWN_CAPACITY);

/** Hex SHA-256, how tokens are stored. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function lookup(env: Env, hash: string, now: number): Promise<UserInfo | undefined> {
  const cached = known.get(hash, now);
  if (cached) return cached;
  if (unknown.get(hash, now)) return undefined;
  const row = await drizzle(env.DB)
    .select({ username: tokens.username, groups: tokens.groups, node: tokens.nodeName, expiresAt: tokens.expiresAt })
    .from(tokens)
    .where(and(eq(tokens.tokenHash, hash), isNull(tokens.revokedAt), or(isNull(tokens.expiresAt), gt(tokens.expiresAt, new Date(now)))))
    .get();
  if (!row) {
    unknown.set(hash, true, now + CACHE_MS);
    return undefined;
  }
  const user = { username: row.username, groups: withAuthenticated(JSON.parse(row.groups) as string[]), ...(row.node ? { node: row.node } : {}) };
  // An expiring token is trusted from the cache no longer than it is valid.
  const until = row.expiresAt ? row.expiresAt.getTime() : Number.POSITIVE_INFINITY;
  known.set(hash, user, Math.min(now + CACHE_MS, until));
  vouched.set(hash, true, Math.min(now + VOUCHED_MS, until));
  return user;
}

/**
 * Resolves the Authorization header to a user, or throws 401. A token this
 * isolate knows to be valid is served from the cache; anything else first
 * passes the per-source limit on failures (429, auth-limits.ts) unless it was
 * accepted lately, and each failure counts against it; a request without a
 * token is refused at once (nothing to look up). Unknown tokens are cached too, so repeating a bad
 * one costs no D1 read.
 */
export async function authenticate(env: Env, header: string | null, source = ""): Promise<UserInfo> {
  const now = Date.now();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  const token = match?.[1];
  // No token costs no lookup: it is refused without counting against the source.
  if (!token) throw unauthorized();
  // ServiceAccount tokens are signed JWTs, verified without D1 (workers/serviceaccounts/token-authenticator.ts).
  if (looksLikeJwt(token)) return authenticateServiceAccountToken(env, token, source, now);
  const hash = await hashToken(token);
  const good = known.get(hash, now);
  if (good) return good;
  if (!vouched.get(hash, now)) refuseIfLimited(source, now);
  const user = await lookup(env, hash, now);
  if (!user) {
    recordFailure(source, now);
    throw unauthorized();
  }
  return user;
}

/** Every authenticated caller is also in system:authenticated, as upstream's authenticator adds it. */
export function withAuthenticated(groups: readonly string[]): string[] {
  return groups.includes(AUTHENTICATED_GROUP) ? [...groups] : [...groups, AUTHENTICATED_GROUP];
}

/** Drops cached lookups of these token hashes, so a revocation takes effect in this isolate at once. */
export function forgetCachedTokens(hashes: readonly string[]): void {
  for (const h of hashes) {
    known.delete(h);
    unknown.delete(h);
    vouched.delete(h);
  }
}

/** Inserts a token (used by `npm start` for the dev admin, by joining hosts, and by tests). */
export async function createToken(env: Env, token: string, user: UserInfo): Promise<void> {
  await drizzle(env.DB)
    .insert(tokens)
    .values({
      id: crypto.randomUUID(),
      tokenHash: await hashToken(token),
      username: user.username,
      groups: JSON.stringify(user.groups),
      createdAt: new Date(),
      nodeName: user.node ?? null,
    })
    .onConflictDoNothing();
}

/** Refuses (403) a caller outside system:masters, saying what it cannot do and who can. */
export function requireAdmin(user: UserInfo, what: string): void {
  if (!user.groups.includes(ADMIN_GROUP)) throw forbidden(`User "${user.username}" cannot ${what}: only members of ${ADMIN_GROUP} can`);
}
