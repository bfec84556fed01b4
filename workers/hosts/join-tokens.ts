/**
 * @module
 * Join tokens: an admin mints one; a host presents it once to join. The
 * format is Kubernetes' bootstrap token `<id>.<secret>` (6 + 16 of [a-z0-9]):
 * the id finds the row and only a hash of the secret is stored. Exchanging
 * one for credentials is join-exchange.ts.
 */
import { drizzle } from "drizzle-orm/d1";
import { joinTokens } from "../../shared/db/schema";
import { hashToken } from "../api/auth";

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
