/**
 * @module
 * The joining protocol: an admin mints a join token; a host exchanges it
 * once for its credentials (an API token bound to its Node and a webhook
 * signing secret); credentials rotate and are revoked. Paths are under
 * HOSTS_API_PREFIX. Shared by the Worker and the agent.
 */
import { z } from "zod";

/** Join tokens look like Kubernetes bootstrap tokens: `<6-char id>.<16-char secret>`. */
export const JOIN_TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

/** POST /jointokens (admin): mint a join token. */
export const JoinTokenRequestSchema = z.strictObject({
  /** How long the token may be used; default 1 hour, at most 7 days. */
  ttlSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional(),
  description: z.string().max(256).optional(),
});
export type JoinTokenRequest = z.infer<typeof JoinTokenRequestSchema>;

/** Answer to POST /jointokens. */
export interface JoinTokenResponse {
  kind: "JoinToken";
  apiVersion: "hosts.duraplane.io/v1";
  token: string;
  expiresAt: string;
}

/** POST /join with `Authorization: Bearer <join token>`: the host names itself and describes its resources. */
export const JoinRequestSchema = z.strictObject({
  nodeName: z.string().min(1).max(253),
  labels: z.record(z.string(), z.string()).optional(),
  capacity: z.record(z.string(), z.string()).optional(),
  /**
   * A random id the host draws once per join and sends again with each retry
   * of it: a retry after a lost answer gets the same credentials back (for a
   * short window) instead of a refusal of the spent token.
   */
  requestId: z.string().regex(/^[A-Za-z0-9_-]{22,128}$/, "must be 22 to 128 characters of [A-Za-z0-9_-]").optional(),
});
export type JoinRequest = z.infer<typeof JoinRequestSchema>;

/** Answer to POST /join (and the body an agent keeps in its credentials file). */
export interface JoinResponse {
  kind: "HostCredentials";
  apiVersion: "hosts.duraplane.io/v1";
  nodeName: string;
  /** Bearer token for the Kubernetes API, bound to this Node (system:node:<name>). */
  token: string;
  /** Webhook signing secret, `whsec_<base64>`. */
  signingSecret: string;
  /** Path of this node's report webhook. */
  webhookPath: string;
}

/** Answer to POST /nodes/{name}/rotate: a new secret; the previous one stays valid until previousValidUntil. */
export interface RotateResponse {
  kind: "SigningSecretRotation";
  apiVersion: "hosts.duraplane.io/v1";
  nodeName: string;
  signingSecret: string;
  previousValidUntil: string;
}
