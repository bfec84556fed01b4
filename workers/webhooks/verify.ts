/**
 * @module
 * Authenticating a webhook call (invariant 7): the three Standard Webhooks
 * headers present, the timestamp within five minutes of the server's clock,
 * and a `v1` signature that matches under one of the node's live signing
 * secrets (two are live during a rotation). Nothing is parsed or applied
 * before this passes.
 */
import { WEBHOOK_TOLERANCE_SECONDS } from "../../shared/hosts/constants";
import { verifySignature } from "../../shared/hosts/signature";
import { badRequest, unauthorized } from "../../shared/k8s/errors";
import { signingSecrets } from "../hosts/node-credentials";

/** Upper bound on the webhook-id, so it can be stored as a key. */
const MAX_ID_LENGTH = 256;

/** Checks a call's headers and signature; returns its webhook-id. */
export async function verifyWebhook(env: Env, node: string, headers: Headers, body: string, now = Date.now()): Promise<string> {
  const id = headers.get("webhook-id");
  const ts = headers.get("webhook-timestamp");
  const signature = headers.get("webhook-signature");
  for (const [name, value] of [["webhook-id", id], ["webhook-timestamp", ts], ["webhook-signature", signature]] as const) {
    if (!value) throw badRequest(`missing ${name} header: reports must be signed as Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)`);
  }
  if (!id || !ts || !signature) throw badRequest("missing webhook headers");
  if (id.length > MAX_ID_LENGTH) throw badRequest(`webhook-id is longer than ${MAX_ID_LENGTH} characters`);
  if (!/^\d{1,12}$/.test(ts)) throw badRequest(`webhook-timestamp must be whole seconds since the Unix epoch, got "${ts.slice(0, 40)}"`);
  const skew = Number(ts) - Math.floor(now / 1000);
  if (Math.abs(skew) > WEBHOOK_TOLERANCE_SECONDS) {
    throw unauthorized(`webhook-timestamp is ${Math.abs(skew)} s ${skew < 0 ? "in the past" : "in the future"}; at most ${WEBHOOK_TOLERANCE_SECONDS} s of clock skew is accepted`);
  }
  const secrets = await signingSecrets(env, node, now);
  if (secrets.length === 0) throw unauthorized(`node "${node}" has no valid signing secret: it has not joined, or its credentials were revoked`);
  if (!(await verifySignature(secrets, id, ts, body, signature))) {
    throw unauthorized(`no signature in webhook-signature matches node "${node}"'s signing secrets`);
  }
  return id;
}
