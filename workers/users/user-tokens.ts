/**
 * @module
 * User tokens in D1 (the `tokens` rows without a node): minted by an admin
 * for a user and groups, optionally expiring, revoked by id. Only the
 * SHA-256 of a token is stored; authentication is auth.ts. Node tokens share
 * the table but belong to the host API (join, revoke a node).
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type TokenRow, tokens } from "../../shared/db/schema";
import { HOSTS_API_PREFIX } from "../../shared/hosts/constants";
import { base64FromBytes } from "../../shared/k8s/base64";
import { badRequest, notFound } from "../../shared/k8s/errors";
import { type CreatedUserToken, type UserToken, USERS_API_VERSION } from "../../shared/users/tokens";
import { forgetCachedTokens, hashToken } from "../api/auth";

/** How errors name a user token: `tokens.users.duraplane.io "<id>" not found`. */
export const USER_TOKENS = { group: "users.duraplane.io", resource: "tokens" };

/** 32 random bytes, base64url: the same shape as the dev admin's token. */
function newToken(): string {
  const raw = base64FromBytes(crypto.getRandomValues(new Uint8Array(32)));
  return raw.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function toUserToken(row: Pick<TokenRow, "id" | "username" | "groups" | "createdAt" | "expiresAt" | "revokedAt">): UserToken {
  return {
    id: row.id,
    user: row.username,
    groups: JSON.parse(row.groups) as string[],
    createdAt: row.createdAt.toISOString(),
    ...(row.expiresAt ? { expiresAt: row.expiresAt.toISOString() } : {}),
    ...(row.revokedAt ? { revokedAt: row.revokedAt.toISOString() } : {}),
  };
}

/** Mints a token for `user` in `groups`, valid for `ttlMs` when given; the answer is the only copy of the token. */
export async function createUserToken(env: Env, spec: { user: string; groups: string[]; ttlMs?: number }, now = Date.now()): Promise<CreatedUserToken> {
  const token = newToken();
  const row = {
    id: crypto.randomUUID(), tokenHash: await hashToken(token), username: spec.user, groups: JSON.stringify(spec.groups),
    createdAt: new Date(now), expiresAt: spec.ttlMs === undefined ? null : new Date(now + spec.ttlMs), revokedAt: null,
  };
  await drizzle(env.DB).insert(tokens).values(row);
  return { kind: "UserToken", apiVersion: USERS_API_VERSION, ...toUserToken(row), token };
}

/** Every user token, revoked and expired ones included, oldest first. */
export async function listUserTokens(env: Env): Promise<UserToken[]> {
  const rows = await drizzle(env.DB)
    .select({ id: tokens.id, username: tokens.username, groups: tokens.groups, createdAt: tokens.createdAt, expiresAt: tokens.expiresAt, revokedAt: tokens.revokedAt })
    .from(tokens).where(isNull(tokens.nodeName)).orderBy(asc(tokens.createdAt), asc(tokens.id)).all();
  return rows.map(toUserToken);
}

/**
 * Revokes a user token: at once in this isolate (its cached lookup is
 * dropped), elsewhere within auth.ts's cache time. Revoking a revoked token
 * again changes nothing and says when it was revoked.
 */
export async function revokeUserToken(env: Env, id: string, now = Date.now()): Promise<{ token: UserToken; already: boolean }> {
  const db = drizzle(env.DB);
  const row = await db.select().from(tokens).where(eq(tokens.id, id)).get();
  if (!row) throw notFound(USER_TOKENS, id);
  if (row.nodeName !== null) {
    throw badRequest(`token "${id}" belongs to node "${row.nodeName}": node tokens are managed by the host API, revoke them with POST ${HOSTS_API_PREFIX}/nodes/${row.nodeName}/revoke`);
  }
  const updated = await db.update(tokens).set({ revokedAt: new Date(now) })
    .where(and(eq(tokens.id, id), isNull(tokens.revokedAt))).returning({ revokedAt: tokens.revokedAt });
  forgetCachedTokens([row.tokenHash]);
  const revokedAt = updated[0]?.revokedAt ?? row.revokedAt ?? new Date(now);
  return { token: toUserToken({ ...row, revokedAt }), already: updated.length === 0 };
}
