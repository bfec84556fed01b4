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
