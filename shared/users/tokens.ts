/**
 * @module
 * Static user tokens, managed by an admin through the user API under
 * USERS_API_PREFIX (not a Kubernetes resource group; plain JSON endpoints
 * answered with Status errors, like the host API):
 * - POST tokens: mint a token for a user and groups, optionally expiring;
 *   the answer carries the token, the only time it exists in clear;
 * - GET tokens: every user token, never the token itself;
 * - POST tokens/{id}/revoke: the token stops working.
 * Shared by the Worker and the `duraplane` CLI.
 */
import { z } from "zod";

/** Where the user API lives. */
export const USERS_API_PREFIX = "/apis/users.duraplane.io/v1";
/** The apiVersion of the user API's bodies. */
export const USERS_API_VERSION = "users.duraplane.io/v1";

/** POST tokens: whom the token authenticates, and for how long (a Go duration such as `24h`; none never expires). */
export const UserTokenRequestSchema = z.strictObject({
  user: z.string(),
  groups: z.array(z.string()).max(64).optional(),
  ttl: z.string().max(64).optional(),
});
export type UserTokenRequest = z.infer<typeof UserTokenRequestSchema>;

/** A user token as listed: everything but the token. Times are RFC 3339. */
export interface UserToken {
  id: string;
  user: string;
  groups: string[];
  createdAt: string;
  /** Absent: the token never expires. */
  expiresAt?: string;
  /** Present once the token was revoked. */
  revokedAt?: string;
}

/** Answer to POST tokens (201). */
export interface CreatedUserToken extends UserToken {
  kind: "UserToken";
  apiVersion: typeof USERS_API_VERSION;
  /** The bearer token, shown this once; the server keeps only its SHA-256. */
  token: string;
}

/** Answer to GET tokens, oldest first. */
export interface UserTokenList {
  kind: "UserTokenList";
  apiVersion: typeof USERS_API_VERSION;
  items: UserToken[];
}
