/**
 * @module
 * Webhook receipts: a call is claimed by its (node, webhook-id) before it is
 * applied and its answer stored after, so a replay — an agent retrying after
 * a lost response, or an attacker resending a captured call — gets the first
 * answer back and changes nothing. A claim whose applier died is taken over
 * after CLAIM_TIMEOUT_MS.
 *
 * The two statements every call runs (the first claim and the completion)
 * are plain prepared statements: drizzle's query building cost more CPU per
 * webhook call than the rest of the receipt work (bench/profile, issue 14).
 */
import { and, eq, isNull, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { webhookReceipts } from "../../shared/db/schema";
import { WEBHOOK_TOLERANCE_SECONDS } from "../../shared/hosts/constants";

const CLAIM_TIMEOUT_MS = 60_000;
/** Receipts are kept twice the timestamp tolerance: older replays fail on their timestamp. */
const KEEP_MS = 2 * WEBHOOK_TOLERANCE_SECONDS * 1000;

/** What a claim found. */
export type Claim = { state: "new" } | { state: "done"; response: string } | { state: "busy" };

/** Claims a call for applying, or finds its earlier answer. */
export async function claimReceipt(env: Env, nodeName: string, webhookId: string, now = Date.now()): Promise<Claim> {
  const inserted = await env.DB
    .prepare("INSERT INTO webhook_receipts (node_name, webhook_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING webhook_id")
    .bind(nodeName, webhookId, now).first<{ webhook_id: string }>();
  if (inserted) return { state: "new" };
  const db = drizzle(env.DB);
  const key = and(eq(webhookReceipts.nodeName, nodeName), eq(webhookReceipts.webhookId, webhookId));
  const row = await db.select().from(webhookReceipts).where(key).get();
  if (row?.response) return { state: "done", response: row.response };
  if (!row) return claimReceipt(env, nodeName, webhookId, now);
  const taken = await db.update(webhookReceipts).set({ receivedAt: new Date(now) })
    .where(and(key, isNull(webhookReceipts.response), lt(webhookReceipts.receivedAt, new Date(now - CLAIM_TIMEOUT_MS))))
    .returning({ id: webhookReceipts.webhookId });
  return taken.length === 1 ? { state: "new" } : { state: "busy" };
}

/** Stores the answer of an applied call. */
export async function completeReceipt(env: Env, nodeName: string, webhookId: string, response: string): Promise<void> {
  await env.DB.prepare("UPDATE webhook_receipts SET response = ? WHERE node_name = ? AND webhook_id = ?")
    .bind(response, nodeName, webhookId).run();
}

/** Drops a claim whose call failed as a whole, so the agent's retry applies it. */
export async function releaseReceipt(env: Env, nodeName: string, webhookId: string): Promise<void> {
  await drizzle(env.DB).delete(webhookReceipts)
    .where(and(eq(webhookReceipts.nodeName, nodeName), eq(webhookReceipts.webhookId, webhookId), isNull(webhookReceipts.response)));
}

/** Deletes receipts too old to matter. */
export async function pruneReceipts(env: Env, now = Date.now()): Promise<void> {
  await drizzle(env.DB).delete(webhookReceipts).where(lt(webhookReceipts.receivedAt, new Date(now - KEEP_MS)));
}
