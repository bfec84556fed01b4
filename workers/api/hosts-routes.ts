/**
 * @module
 * The host API under /apis/hosts.duraplane.io/v1 (not a Kubernetes resource
 * group; plain JSON endpoints answered with Status errors):
 * - POST jointokens (admin): mint a single-use join token;
 * - POST join (Bearer <join token>): a host joins as a Node and receives its
 *   node-bound API token and webhook signing secret, once (a retry with the
 *   same request id gets the same answer: join-exchange.ts);
 * - POST nodes/{name}/rotate (the node itself or an admin): a new signing
 *   secret, the current one valid for an overlap window, any older one ended;
 * - POST nodes/{name}/revoke (admin): every credential of the node ends.
 */
import { Hono } from "hono";
import { HOSTS_API_PREFIX, WEBHOOK_PREFIX } from "../../shared/hosts/constants";
import {
  JoinRequestSchema, type JoinResponse, JoinTokenRequestSchema, type JoinTokenResponse, type RotateResponse,
} from "../../shared/hosts/join";
import { invalid, notFound, unauthorized } from "../../shared/k8s/errors";
import { isDNS1123Subdomain, validateLabels } from "../../shared/k8s/validation";
import { exchangeJoinToken } from "../hosts/join-exchange";
import { createJoinToken, DEFAULT_JOIN_TOKEN_TTL_SECONDS } from "../hosts/join-tokens";
import { hasLiveCredentials, revokeNodeCredentials, rotateSigningSecret } from "../hosts/node-credentials";
import { requireAdmin, type UserInfo } from "./auth";
import { readJsonBody } from "./json-body";
import { json } from "./respond";

type HostsEnv = { Bindings: Env; Variables: { user: UserInfo } };

/** The join exchange authenticates with the join token itself, so it skips bearer authentication. */
export const JOIN_PATH = `${HOSTS_API_PREFIX}/join`;

const NODES = { group: "", resource: "nodes" };

export const hosts = new Hono<HostsEnv>();

hosts.post(`${HOSTS_API_PREFIX}/jointokens`, async (c) => {
  const user = c.get("user");
  requireAdmin(user, "create join tokens");
  const req = await readJsonBody(c.req.raw, JoinTokenRequestSchema, "JoinToken");
  const { token, expiresAt } = await createJoinToken(c.env, user.username, req.ttlSeconds ?? DEFAULT_JOIN_TOKEN_TTL_SECONDS, req.description ?? "");
  const body: JoinTokenResponse = { kind: "JoinToken", apiVersion: "hosts.duraplane.io/v1", token, expiresAt: expiresAt.toISOString() };
  return json(body, 201);
});

hosts.post(JOIN_PATH, async (c) => {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "")?.[1];
  if (!bearer) throw unauthorized("joining needs Authorization: Bearer <join token>");
  const req = await readJsonBody(c.req.raw, JoinRequestSchema, "join");
  const nameErrors = isDNS1123Subdomain(req.nodeName);
  const labelCauses = validateLabels(req.labels, "labels");
  if (nameErrors.length > 0 || labelCauses.length > 0) {
    throw invalid("Node", req.nodeName, [
      ...nameErrors.map((m) => ({ reason: "FieldValueInvalid", field: "nodeName", message: `Invalid value: "${req.nodeName}": ${m}` })),
      ...labelCauses,
    ]);
  }
  const body: JoinResponse = await exchangeJoinToken(c.env, bearer, req);
  return json(body, 201);
});

hosts.post(`${HOSTS_API_PREFIX}/nodes/:name/rotate`, async (c) => {
  const user = c.get("user");
  const name = c.req.param("name");
  if (user.node !== name) requireAdmin(user, `rotate the signing secret of node "${name}"`);
  if (!(await hasLiveCredentials(c.env, name))) throw notFound(NODES, name);
  const { signingSecret, previousValidUntil } = await rotateSigningSecret(c.env, name);
  const body: RotateResponse = {
    kind: "SigningSecretRotation", apiVersion: "hosts.duraplane.io/v1", nodeName: name, signingSecret,
    previousValidUntil: previousValidUntil.toISOString(),
  };
  return json(body, 200);
});

hosts.post(`${HOSTS_API_PREFIX}/nodes/:name/revoke`, async (c) => {
  const user = c.get("user");
  const name = c.req.param("name");
  requireAdmin(user, `revoke the credentials of node "${name}"`);
  const revoked = await revokeNodeCredentials(c.env, name);
  if (revoked.tokens + revoked.secrets === 0) throw notFound(NODES, name);
  // A tunnel opened with the revoked token must not outlive it (a new credential could not open one while it stands).
  await c.env.NODE_TUNNELS.getByName(name).disconnect("the node's credentials were revoked");
  return json({
    kind: "Status", apiVersion: "v1", metadata: {}, status: "Success",
    message: `revoked ${revoked.tokens} token(s) and ${revoked.secrets} signing secret(s) of node "${name}"`,
    details: { name, kind: "nodes" },
  }, 200);
});
