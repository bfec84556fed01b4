/**
 * @module
 * A joined host's credentials: an API token bound to its Node
 * (`system:node:<name>`, stored hashed) and webhook signing secrets (stored
 * encrypted). Issued by the join exchange (join-exchange.ts). Rotation adds
 * a secret and keeps the previous one valid for a grace window, so reports
 * in flight still verify (never more than one previous secret); revocation
 * ends all of a node's credentials at once.
 */
import { and, eq, gt, isNotNull, isNull, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { nodeSecrets, tokens } from "../../shared/db/schema";
import { NODE_USER_PREFIX, NODES_GROUP } from "../../shared/hosts/constants";
import { newSigningSecret } from "../../shared/hosts/signature";
import { forgetCachedTokens, type UserInfo } from "../api/auth";
import { open, seal } from "./secret-box";

/** The identity of a node (`system:node:<name>` in `system:nodes`), bound to its Node. */
export function nodeUser(nodeName: string): UserInfo {
  return { username: `${NODE_USER_PREFIX}${nodeName}`, groups: [NODES_GROUP], node: nodeName };
}

/** How long a rotated-out signing secret stays valid (unless the node rotates again sooner). */
export const ROTATION_OVERLAP_SECONDS = 3600;
/** Signing secrets are cached this long per isolate; a revocation takes effect within it. */
const SECRETS_CACHE_MS = 2000;
const cache = new Map<string, { secrets: string[]; until: number }>();

/** Whether a node has a token or a signing secret that still works. */
export async function hasLiveCredentials(env: Env, nodeName: string, now = Date.now()): Promise<boolean> {
  const db = drizzle(env.DB);
  const token = await db.select({ id: tokens.id }).from(tokens)
    .where(and(eq(tokens.nodeName, nodeName), isNull(tokens.revokedAt))).get();
  if (token) return true;
  return (await liveSecretRows(env, nodeName, now)).length > 0;
}

/**
 * Makes a new signing secret current. The current one stays valid for
 * ROTATION_OVERLAP_SECONDS (reports in flight still verify); one rotated out
 * earlier ends now, so a node never has more than two valid secrets however
 * often it rotates — the agent keeps the same two. One D1 batch, so
 * concurrent rotations cannot leave two current secrets.
 */
export async function rotateSigningSecret(env: Env, nodeName: string, now = Date.now()): Promise<{ signingSecret: string; previousValidUntil: Date }> {
  const until = new Date(now + ROTATION_OVERLAP_SECONDS * 1000);
  const id = crypto.randomUUID();
  const signingSecret = newSigningSecret();
  const ciphertext = await seal(env, id, signingSecret);
  const db = drizzle(env.DB);
  const live = and(eq(nodeSecrets.nodeName, nodeName), isNull(nodeSecrets.revokedAt));
  await db.batch([
    db.update(nodeSecrets).set({ revokedAt: new Date(now) }).where(and(live, isNotNull(nodeSecrets.notAfter))),
    db.update(nodeSecrets).set({ notAfter: until }).where(and(live, isNull(nodeSecrets.notAfter))),
    db.insert(nodeSecrets).values({ id, nodeName, ciphertext, createdAt: new Date(now) }),
  ]);
  cache.delete(nodeName);
  return { signingSecret, previousValidUntil: until };
}

/** Revokes every token and signing secret of a node. */
export async function revokeNodeCredentials(env: Env, nodeName: string, now = Date.now()): Promise<{ tokens: number; secrets: number }> {
  const db = drizzle(env.DB);
  const t = await db.update(tokens).set({ revokedAt: new Date(now) })
    .where(and(eq(tokens.nodeName, nodeName), isNull(tokens.revokedAt))).returning({ hash: tokens.tokenHash });
  const s = await db.update(nodeSecrets).set({ revokedAt: new Date(now) })
    .where(and(eq(nodeSecrets.nodeName, nodeName), isNull(nodeSecrets.revokedAt))).returning({ id: nodeSecrets.id });
  forgetCachedTokens(t.map((r) => r.hash));
  cache.delete(nodeName);
  return { tokens: t.length, secrets: s.length };
}

async function liveSecretRows(env: Env, nodeName: string, now: number): Promise<{ id: string; ciphertext: string }[]> {
  return drizzle(env.DB).select({ id: nodeSecrets.id, ciphertext: nodeSecrets.ciphertext }).from(nodeSecrets)
    .where(and(eq(nodeSecrets.nodeName, nodeName), isNull(nodeSecrets.revokedAt), or(isNull(nodeSecrets.notAfter), gt(nodeSecrets.notAfter, new Date(now)))))
    .all();
}

/** The signing secrets a report from `nodeName` may be signed with (decrypted). */
export async function signingSecrets(env: Env, nodeName: string, now = Date.now()): Promise<string[]> {
  const hit = cache.get(nodeName);
  if (hit && hit.until > now) return hit.secrets;
  const rows = await liveSecretRows(env, nodeName, now);
  const secrets = (await Promise.all(rows.map((r) => open(env, r.id, r.ciphertext)))).filter((s): s is string => s !== undefined);
  if (cache.size > 1000) cache.clear();
  cache.set(nodeName, { secrets, until: now + SECRETS_CACHE_MS });
  return secrets;
}
