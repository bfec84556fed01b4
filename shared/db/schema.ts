/**
 * @module
 * D1 tables (drizzle): identities and, later, webhook receipts and the audit
 * log. Tokens are stored only as SHA-256 hashes.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Bearer tokens of users (the dev admin first) and, later, of host agents. */
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
  },
  (t) => [index("tokens_username").on(t.username)],
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
