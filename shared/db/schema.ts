/**
 * @module
 * D1 tables (drizzle): identities (user and node tokens, join tokens, webhook
 * signing secrets), webhook receipts, dead letters and the audit log. Tokens are stored only
 * as SHA-256 hashes; signing secrets, which the server must be able to use,
 * are stored encrypted (AES-GCM under the SECRETS_KEY Worker secret).
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Bearer tokens of users (the dev admin first) and of host agents (bound to their Node). */
export const tokens = sqliteTable(
  "tokens",
  {
    id: text("id").primaryKey(),
    /** Hex SHA-256 of the bearer token; the token itself is never stored. */
    tokenHash: text("token_hash").notNull().unique(),
    username: text("username").notNull(),
    /** JSON array of group names. */
    groups: text("groups").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    /** A user token stops working at this time; null never expires (static tokens, node tokens). */
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
    /** The Node a host agent's token is bound to (NodeRestriction); null for users. */
    nodeName: text("node_name"),
  },
  (t) => [
    index("tokens_username").on(t.username), index("tokens_node_name").on(t.nodeName),
    // A node has at most one live token: two joins of one name race on this
    // index, so exactly one of them can commit (the other is refused, 409).
    uniqueIndex("tokens_live_node").on(t.nodeName).where(sql`${t.nodeName} IS NOT NULL AND ${t.revokedAt} IS NULL`),
  ],
);

export type TokenRow = typeof tokens.$inferSelect;

/** Reconcile keys whose retries ran out (the dead-letter queue's record), for metrics and forensics. */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    controller: text("controller").notNull(),
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    attempts: integer("attempts").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("dead_letters_controller").on(t.controller)],
);

/** Join tokens (`<id>.<secret>`, like bootstrap tokens): single use, short-lived. */
export const joinTokens = sqliteTable("join_tokens", {
  /** The public 6-character id. */
  id: text("id").primaryKey(),
  /** Hex SHA-256 of the 16-character secret. */
  secretHash: text("secret_hash").notNull(),
  description: text("description").notNull().default(""),
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  /** Set once, atomically, when a host exchanges the token. */
  usedAt: integer("used_at", { mode: "timestamp_ms" }),
  usedBy: text("used_by"),
  /**
   * Hex SHA-256 of the joining host's request id (its idempotency key): the
   * same host retrying after a lost answer is recognised by it.
   */
  requestHash: text("request_hash"),
  /** The id (tokens.id) of the API token this join issued. */
  issuedTokenId: text("issued_token_id"),
  /**
   * The join's answer, sealed like the signing secrets, so a retry with the
   * same request id gets the same credentials; cleared once the replay
   * window has passed.
   */
  answer: text("answer"),
});

/** Webhook signing secrets of nodes. Several may be valid at once during a rotation. */
export const nodeSecrets = sqliteTable(
  "node_secrets",
  {
    id: text("id").primaryKey(),
    nodeName: text("node_name").notNull(),
    /** base64(iv ‖ AES-GCM ciphertext) of the `whsec_` secret. */
    ciphertext: text("ciphertext").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    /** A rotated-out secret stays valid until then; null while current. */
    notAfter: integer("not_after", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("node_secrets_node_name").on(t.nodeName)],
);

/**
 * One row per webhook call (Standard Webhooks' idempotency key): a replayed
 * `webhook-id` gets the first answer back and nothing is applied twice.
 * Rows older than the timestamp tolerance can be pruned — a replay that old
 * is refused by its timestamp anyway.
 */
export const webhookReceipts = sqliteTable(
  "webhook_receipts",
  {
    nodeName: text("node_name").notNull(),
    webhookId: text("webhook_id").notNull(),
    receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
    /** The JSON answer once the call was applied; null while it is being applied. */
    response: text("response"),
  },
  (t) => [primaryKey({ columns: [t.nodeName, t.webhookId] }), index("webhook_receipts_received_at").on(t.receivedAt)],
);

/**
 * The audit log: one row per audited request at stage ResponseComplete and
 * level Metadata (who, what, on which object, with what result; never the
 * bodies). Rows are pruned after the retention period.
 */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    /** The auditID (a UUID), also sent back as the Audit-Id response header. */
    id: text("id").primaryKey(),
    /** requestReceivedTimestamp, ms. */
    receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
    /** stageTimestamp (the response was complete), ms. */
    completedAt: integer("completed_at", { mode: "timestamp_ms" }).notNull(),
    verb: text("verb").notNull(),
    requestUri: text("request_uri").notNull(),
    username: text("username").notNull(),
    /** JSON array of group names. */
    groups: text("groups").notNull(),
    /** When the request impersonated another identity (upstream's impersonatedUser): its name and groups (JSON). */
    impersonatedUsername: text("impersonated_username"),
    impersonatedGroups: text("impersonated_groups"),
    sourceIp: text("source_ip").notNull(),
    userAgent: text("user_agent").notNull(),
    apiGroup: text("api_group"),
    apiVersion: text("api_version"),
    resource: text("resource"),
    subresource: text("subresource"),
    namespace: text("namespace"),
    name: text("name"),
    code: integer("code").notNull(),
    /** For a failure: the Status reason and message. */
    reason: text("reason"),
    message: text("message"),
  },
  (t) => [index("audit_events_received_at").on(t.receivedAt), index("audit_events_username").on(t.username)],
);

export type AuditEventRow = typeof auditEvents.$inferSelect;

/**
 * The keys ServiceAccount tokens are signed with (ES256). The private key is
 * stored sealed like the signing secrets (AES-GCM under SECRETS_KEY, bound to
 * the row id, which is also the JWT `kid`); the public key in the clear.
 * Exactly one row is active — the key new tokens are signed with — enforced
 * by a unique partial index, so isolates that race to create the first key
 * agree on one. Rows that are no longer active still verify the tokens they
 * signed (room for rotation).
 */
export const serviceAccountKeys = sqliteTable(
  "service_account_keys",
  {
    id: text("id").primaryKey(),
    /** The JWS `alg` (ES256). */
    algorithm: text("algorithm").notNull(),
    /** The public key as a JWK (JSON). */
    publicKey: text("public_key").notNull(),
    /** base64(iv ‖ AES-GCM ciphertext) of the private key's JWK (JSON). */
    privateKey: text("private_key").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [uniqueIndex("service_account_keys_active").on(t.active).where(sql`${t.active} = 1`)],
);
