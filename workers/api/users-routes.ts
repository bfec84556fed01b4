/**
 * @module
 * The user API under USERS_API_PREFIX, for admins only (shared/users/tokens.ts
 * describes the bodies): mint, list and revoke static user tokens.
 */
import { Hono } from "hono";
import { invalid } from "../../shared/k8s/errors";
import { UserTokenRequestSchema, type UserTokenList, USERS_API_PREFIX, USERS_API_VERSION } from "../../shared/users/tokens";
import { createUserToken, listUserTokens, revokeUserToken } from "../users/user-tokens";
import { validateTokenRequest } from "../users/validate-token-request";
import { requireAdmin, type UserInfo } from "./auth";
import { readJsonBody } from "./json-body";
import { json } from "./respond";

type UsersEnv = { Bindings: Env; Variables: { user: UserInfo } };

/** The user API's routes, mounted by app.ts behind authentication. */
export const users = new Hono<UsersEnv>();

users.post(`${USERS_API_PREFIX}/tokens`, async (c) => {
  requireAdmin(c.get("user"), "create user tokens");
  const req = await readJsonBody(c.req.raw, UserTokenRequestSchema, "UserToken");
  const { causes, ttlMs } = validateTokenRequest(req);
  if (causes.length > 0) throw invalid("UserToken", req.user, causes, "users.duraplane.io");
  const created = await createUserToken(c.env, { user: req.user, groups: req.groups ?? [], ...(ttlMs === undefined ? {} : { ttlMs }) });
  return json(created, 201);
});

users.get(`${USERS_API_PREFIX}/tokens`, async (c) => {
  requireAdmin(c.get("user"), "list user tokens");
  const body: UserTokenList = { kind: "UserTokenList", apiVersion: USERS_API_VERSION, items: await listUserTokens(c.env) };
  return json(body, 200);
});

users.post(`${USERS_API_PREFIX}/tokens/:id/revoke`, async (c) => {
  const id = c.req.param("id");
  requireAdmin(c.get("user"), `revoke user token "${id}"`);
  const { token, already } = await revokeUserToken(c.env, id);
  return json({
    kind: "Status", apiVersion: "v1", metadata: {}, status: "Success",
    message: already ? `token "${id}" of user "${token.user}" was already revoked at ${token.revokedAt}` : `revoked token "${id}" of user "${token.user}"`,
    details: { name: id, group: "users.duraplane.io", kind: "tokens" },
  }, 200);
});
