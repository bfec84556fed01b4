/**
 * @module
 * Bearer-token authentication against D1. Tokens are compared by SHA-256
 * hash; a short per-isolate cache keeps D1 off the hot path while a revoked
 * token stops working within seconds.
 */
import { and, eq, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { tokens } from "../../shared/db/schema";
import { ADMIN_GROUP } from "../../shared/hosts/constants";
import { forbidden, unauthorized } from "../../shared/k8s/errors";

/** The authenticated caller (user.Info). */
export interface UserInfo {
  username: string;
  groups: string[];
  /** For a host agent: the Node its token is bound to (NodeRestriction fences it to that Node). */
  node?: string;
}

const CACHE_MS = 5000;
const cache = new Map<string, { user: UserInfo | undefined; until: number }>();

/** Hex SHA-256, how tokens are stored. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Resolves the Authorization header to a user, or throws 401. */
export async function authenticate(env: Env, header: string | null): Promise<UserInfo> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  const token = match?.[1];
  if (!token) throw unauthorized();
  const hash = await hashToken(token);
  const now = Date.now();
  const hit = cache.get(hash);
  let user: UserInfo | undefined;
  if (hit && hit.until > now) {
    user = hit.user;
  } else {
    const row = await drizzle(env.DB)
      .select({ username: tokens.username, groups: tokens.groups, node: tokens.nodeName })
      .from(tokens)
      .where(and(eq(tokens.tokenHash, hash), isNull(tokens.revokedAt)))
      .get();
    user = row ? { username: row.username, groups: JSON.parse(row.groups) as string[], ...(row.node ? { node: row.node } : {}) } : undefined;
    if (cache.size > 1000) cache.clear();
    cache.set(hash, { user, until: now + CACHE_MS });
  }
  if (!user) throw unauthorized();
  return user;
}

/** Drops cached lookups of these token hashes, so a revocation takes effect in this isolate at once. */
export function forgetCachedTokens(hashes: readonly string[]): void {
  for (const h of hashes) cache.delete(h);
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
