/**
 * @module
 * Join tokens: an admin mints one; a host presents it once to join. The
 * format is Kubernetes' bootstrap token `<id>.<secret>` (6 + 16 of [a-z0-9]):
 * the id finds the row, only a hash of the secret is stored, and using it is
 * one conditional UPDATE, so two hosts racing with one token cannot both win.
 */
import { and, eq, gt, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { joinTokens } from "../../shared/db/schema";
import { JOIN_TOKEN_PATTERN } from "../../shared/hosts/join";
import { unauthorized } from "../../shared/k8s/errors";
import { hashToken } from "../api/auth";
import { constantTimeEqual } from "../../shared/hosts/signature";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
/** Default life of a join token: one hour, like kubeadm's default is a day — shorter is safer for a single-use secret. */
export const DEFAULT_JOIN_TOKEN_TTL_SECONDS = 3600;

function randomString(length: number): string {
  // 252 is the largest multiple of 36 below 256: rejecting above it keeps the draw uniform.
  let out = "";
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (b < 252 && out.length < length) out += ALPHABET[b % 36];
    }
  }
  return out;
}

/** Mints a join token; returns it (the only time the secret exists in clear) and its expiry. */
export async function createJoinToken(env: Env, by: string, ttlSeconds: number, description: string, now = Date.now()): Promise<{ token: string; expiresAt: Date }> {
  const id = randomString(6);
  const secret = randomString(16);
  const expiresAt = new Date(now + ttlSeconds * 1000);
  await drizzle(env.DB).insert(joinTokens).values({
    id, secretHash: await hashToken(secret), description, createdBy: by, createdAt: new Date(now), expiresAt,
  });
  return { token: `${id}.${secret}`, expiresAt };
}

/**
 * Uses a join token for `nodeName`: 401 unless it exists, matches, has not
 * expired and was not used before. Marks it used in the same statement that
 * checks it.
 */
export async function consumeJoinToken(env: Env, token: string, nodeName: string, now = Date.now()): Promise<void> {
  const m = JOIN_TOKEN_PATTERN.exec(token);
  const refused = unauthorized("join token is invalid, expired or already used");
  if (!m?.[1] || !m[2]) throw refused;
  const db = drizzle(env.DB);
  const row = await db.select().from(joinTokens).where(eq(joinTokens.id, m[1])).get();
  const given = new TextEncoder().encode(await hashToken(m[2]));
  if (!row || !constantTimeEqual(given, new TextEncoder().encode(row.secretHash))) throw refused;
  const used = await db.update(joinTokens)
    .set({ usedAt: new Date(now), usedBy: nodeName })
    .where(and(eq(joinTokens.id, m[1]), isNull(joinTokens.usedAt), gt(joinTokens.expiresAt, new Date(now))))
    .returning({ id: joinTokens.id });
  if (used.length !== 1) throw refused;
}

/** Gives a used token back when the join failed after using it (best effort, so a host can retry). */
export async function releaseJoinToken(env: Env, token: string): Promise<void> {
  const id = JOIN_TOKEN_PATTERN.exec(token)?.[1];
  if (id) await drizzle(env.DB).update(joinTokens).set({ usedAt: null, usedBy: null }).where(eq(joinTokens.id, id));
}
