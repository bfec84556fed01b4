/**
 * @module
 * The join exchange: a join token becomes a node's credentials in one
 * atomic D1 batch, and a retry of the same join is answered again.
 *
 * - One decision: the batch marks the join token used, inserts the node's
 *   API token and its signing secret, and keeps the (sealed) answer. A node
 *   has at most one live token (unique index `tokens_live_node`), so of two
 *   joins of one name racing, exactly one batch commits; the other rolls back
 *   whole — its join token stays unused — and is answered 409.
 * - Safe to retry: a host sends a random `requestId` with its join. If the
 *   answer is lost (connection dropped, the worker restarted mid-request), the
 *   same join token with the same name and request id, within
 *   JOIN_REPLAY_SECONDS, gets the same credentials back. Anyone else — even
 *   with the join token, which appears in command lines and logs — gets the
 *   same 401 as for a used token: the request id never leaves the host.
 */
import { drizzle } from "drizzle-orm/d1";
import { eq } from "drizzle-orm";
import { joinTokens, tokens } from "../../shared/db/schema";
import { WEBHOOK_PREFIX, HOSTS_API_PREFIX } from "../../shared/hosts/constants";
import { JOIN_TOKEN_PATTERN, type JoinRequest, type JoinResponse } from "../../shared/hosts/join";
import { constantTimeEqual, newSigningSecret } from "../../shared/hosts/signature";
import { ApiError, unauthorized } from "../../shared/k8s/errors";
import { hashToken } from "../api/auth";
import { hasLiveCredentials, nodeUser, revokeNodeCredentials } from "./node-credentials";
import { ensureNode } from "./node-object";
import { open, seal } from "./secret-box";

/** How long after a join its answer may be fetched again with the same request id. */
export const JOIN_REPLAY_SECONDS = 600;

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const sameText = (a: string, b: string): boolean => constantTimeEqual(new TextEncoder().encode(a), new TextEncoder().encode(b));

/** The sealed answer is bound to its join token's row. */
const answerRowId = (joinTokenId: string): string => `join_tokens/${joinTokenId}`;

function alreadyJoined(nodeName: string): ApiError {
  return new ApiError(409, "AlreadyExists",
    `node "${nodeName}" has already joined; revoke its credentials (POST ${HOSTS_API_PREFIX}/nodes/${nodeName}/revoke) before it joins again`,
    { name: nodeName, kind: "nodes" });
}

/**
 * Exchanges join token `bearer` for the credentials of `req.nodeName`
 * (creating its Node), or answers a retry of that same join again.
 * Throws 401 for a bad, expired or used token, 409 when the name has live
 * credentials.
 */
export async function exchangeJoinToken(env: Env, bearer: string, req: JoinRequest, now = Date.now()): Promise<JoinResponse> {
  const refused = unauthorized("join token is invalid, expired or already used");
  const m = JOIN_TOKEN_PATTERN.exec(bearer);
  if (!m?.[1] || !m[2]) throw refused;
  const id = m[1];
  const db = drizzle(env.DB);
  const row = await db.select().from(joinTokens).where(eq(joinTokens.id, id)).get();
  if (!row || !sameText(await hashToken(m[2]), row.secretHash)) throw refused;
  const requestHash = req.requestId === undefined ? null : await hashToken(req.requestId);
  if (row.usedAt !== null) return replay(env, id, req, requestHash, now, refused);
  if (row.expiresAt.getTime() <= now) throw refused;
  // Fast path for the common refusal; the batch below is what decides.
  if (await hasLiveCredentials(env, req.nodeName, now)) {
    // The credentials may be this very join's, sent twice at once: the other copy used the token
    // after we read it. Then this is a replay, answered with the same credentials.
    const reread = await db.select({ usedAt: joinTokens.usedAt }).from(joinTokens).where(eq(joinTokens.id, id)).get();
    if (reread && reread.usedAt !== null) return replay(env, id, req, requestHash, now, refused);
    throw alreadyJoined(req.nodeName);
  }

  const tokenId = crypto.randomUUID();
  const apiToken = randomHex(32);
  const secretId = crypto.randomUUID();
  const signingSecret = newSigningSecret();
  const user = nodeUser(req.nodeName);
  const answer: JoinResponse = {
    kind: "HostCredentials", apiVersion: "hosts.duraplane.io/v1", nodeName: req.nodeName,
    token: apiToken, signingSecret, webhookPath: `${WEBHOOK_PREFIX}/${req.nodeName}/reports`,
  };
  const wonBy = "EXISTS (SELECT 1 FROM join_tokens WHERE id = ? AND issued_token_id = ?)";
  let claimed: D1Result[];
  try {
    claimed = await env.DB.batch([
      env.DB.prepare("UPDATE join_tokens SET used_at = ?, used_by = ?, request_hash = ?, issued_token_id = ?, answer = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?")
        .bind(now, req.nodeName, requestHash, tokenId, await seal(env, answerRowId(id), JSON.stringify(answer)), id, now),
      env.DB.prepare(`INSERT INTO tokens (id, token_hash, username, groups, created_at, node_name) SELECT ?, ?, ?, ?, ?, ? WHERE ${wonBy}`)
        .bind(tokenId, await hashToken(apiToken), user.username, JSON.stringify(user.groups), now, req.nodeName, id, tokenId),
      env.DB.prepare(`INSERT INTO node_secrets (id, node_name, ciphertext, created_at) SELECT ?, ?, ?, ? WHERE ${wonBy}`)
        .bind(secretId, req.nodeName, await seal(env, secretId, signingSecret), now, id, tokenId),
      // Answers past their replay window are no longer needed: drop them.
      env.DB.prepare("UPDATE join_tokens SET answer = NULL WHERE answer IS NOT NULL AND used_at < ?").bind(now - JOIN_REPLAY_SECONDS * 1000),
    ]);
  } catch (err) {
    // The live-token index refused the second of two racing joins; nothing of this batch was written.
    if (String(err).includes("UNIQUE constraint failed")) throw alreadyJoined(req.nodeName);
    throw err;
  }
  if (claimed[0]?.meta.changes !== 1) {
    // Another request used the token between our read and our batch: maybe this very join, sent twice.
    return replay(env, id, req, requestHash, now, refused);
  }
  try {
    await ensureNode(env, req.nodeName, req.labels ?? {}, req.capacity ?? {}, now);
  } catch (err) {
    // Undo, so that the host can try again with the same token once the cause is fixed.
    await revokeNodeCredentials(env, req.nodeName, now);
    await db.update(joinTokens).set({ usedAt: null, usedBy: null, requestHash: null, issuedTokenId: null, answer: null })
      .where(eq(joinTokens.id, id));
    throw err;
  }
  return answer;
}

/** Answers a join again when it is the same join (same name and request id, in time, credentials not revoked); else 401. */
async function replay(env: Env, id: string, req: JoinRequest, requestHash: string | null, now: number, refused: ApiError): Promise<JoinResponse> {
  const db = drizzle(env.DB);
  const row = await db.select().from(joinTokens).where(eq(joinTokens.id, id)).get();
  if (!row || requestHash === null || row.requestHash === null || row.answer === null || row.issuedTokenId === null) throw refused;
  if (row.usedBy !== req.nodeName || !sameText(requestHash, row.requestHash)) throw refused;
  if (row.usedAt === null || row.usedAt.getTime() + JOIN_REPLAY_SECONDS * 1000 <= now) throw refused;
  const issued = await db.select({ revokedAt: tokens.revokedAt }).from(tokens).where(eq(tokens.id, row.issuedTokenId)).get();
  if (!issued || issued.revokedAt !== null) throw refused;
  const text = await open(env, answerRowId(id), row.answer);
  if (text === undefined) throw refused;
  // The first attempt may have ended before its Node was written; this is idempotent.
  await ensureNode(env, req.nodeName, req.labels ?? {}, req.capacity ?? {}, now);
  return JSON.parse(text) as JoinResponse;
}
