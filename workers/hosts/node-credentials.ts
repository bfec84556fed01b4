/**
 * @module
 * A joined host's credentials: an API token bound to its Node
 * (`system:node:<name>`, stored hashed) and webhook signing secrets (stored
 * encrypted). Rotation adds a secret and keeps the previous ones valid for a
 * grace window, so reports in flight still verify; revocation ends all of a
 * node's credentials at once.
 */
import { and, eq, gt, isNull, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { nodeSecrets, tokens } from "../../shared/db/schema";
import { NODE_USER_PREFIX, NODES_GROUP } from "../../shared/hosts/constants";
import { newSigningSecret } from "../../shared/hosts/signature";
import { createToken, forgetCachedTokens, type UserInfo } from "../api/auth";
import { open, seal } from "./secret-box";

/** The identity of a node (`system:node:<name>` in `system:nodes`), bound to its Node. */
export function nodeUser(nodeName: string): UserInfo {
  return { username: `${NODE_USER_PREFIX}${nodeName}`, groups: [NODES_GROUP], node: nodeName };
}

/** How long a rotated-out signing secret stays valid. */
export const ROTATION_OVERLAP_SECONDS = 3600;
/** Signing secrets are cached this long per isolate; a revocation takes effect within it. */
const SECRETS_CACHE_MS = 2000;
const cache = new Map<string, { secrets: string[]; until: number }>();

function randomToken(): string {
  return [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether a node has a token or a signing secret that still works. */
export async function hasLiveCredentials(env: Env, nodeName: string, now = Date.now()): Promise<boolean> {
  const db = drizzle(env.DB);
  const token = await db.select({ id: tokens.id }).from(tokens)
    .where(and(eq(tokens.nodeName, nodeName), isNull(tokens.revokedAt))).get();
  if (token) return true;
  return (await liveSecretRows(env, nodeName, now)).length > 0;
}

async function addSecret(env: Env, nodeName: string, now: number): Promise<string> {
  const id = crypto.randomUUID();
  const secret = newSigningSecret();
  await drizzle(env.DB).insert(nodeSecrets).values({ id, nodeName, ciphertext: await seal(env, id, secret), createdAt: new Date(now) });
  cache.delete(nodeName);
  return secret;
}

/** Issues a fresh token and signing secret for `nodeName`. */
export async function issueNodeCredentials(env: Env, nodeName: string, now = Date.now()): Promise<{ token: string; signingSecret: string }> {
  const signingSecret = await addSecret(env, nodeName, now);
  const token = randomToken();
  await createToken(env, token, nodeUser(nodeName));
  return { token, signingSecret };
}

/** Adds a new signing secret; the current ones stay valid for ROTATION_OVERLAP_SECONDS. */
export async function rotateSigningSecret(env: Env, nodeName: string, now = Date.now()): Promise<{ signingSecret: string; previousValidUntil: Date }> {
  const until = new Date(now + ROTATION_OVERLAP_SECONDS * 1000);
  await drizzle(env.DB).update(nodeSecrets).set({ notAfter: until })
    .where(and(eq(nodeSecrets.nodeName, nodeName), isNull(nodeSecrets.revokedAt), or(isNull(nodeSecrets.notAfter), gt(nodeSecrets.notAfter, until))));
  const signingSecret = await addSecret(env, nodeName, now);
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
