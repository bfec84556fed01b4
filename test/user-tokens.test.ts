/**
 * The user API: static user tokens minted, listed and revoked by admins
 * (system:masters) only; expiring and revoked tokens stop authenticating.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createToken } from "../workers/api/auth";
import type { CreatedUserToken, UserTokenList } from "../shared/users/tokens";
import { api, type ApiResponse, type StatusBody } from "./helpers";

const TOKENS = "/apis/users.duraplane.io/v1/tokens";
const unique = (p: string): string => `${p}-${crypto.randomUUID().slice(0, 8)}`;

/** `kubectl auth whoami` as the holder of `token`, from its own address (failures are limited per address). */
function whoami(token: string): Promise<ApiResponse<{ status: { userInfo: { username: string; groups: string[] } } }>> {
  return api("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {}, { authorization: `Bearer ${token}`, "cf-connecting-ip": unique("ip") });
}

async function mint(body: Record<string, unknown>): Promise<CreatedUserToken> {
  const res = await api<CreatedUserToken>("POST", TOKENS, body);
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

describe("user tokens: admins only", () => {
  it("refuses a caller RBAC grants nothing with upstream's Forbidden", async () => {
    const bob = unique("bob-token");
    await createToken(env, bob, { username: "bob", groups: ["team-a"] });
    const as = { authorization: `Bearer ${bob}` };
    const where = 'in API group "users.duraplane.io" at the cluster scope';
    for (const [method, path, message] of [
      ["POST", TOKENS, `tokens.users.duraplane.io is forbidden: User "bob" cannot create resource "tokens" ${where}`],
      ["GET", TOKENS, `tokens.users.duraplane.io is forbidden: User "bob" cannot list resource "tokens" ${where}`],
      ["POST", `${TOKENS}/some-id/revoke`, `tokens.users.duraplane.io "some-id" is forbidden: User "bob" cannot create resource "tokens/revoke" ${where}`],
    ] as const) {
      const res = await api<StatusBody>(method, path, method === "POST" ? { user: "mallory", groups: ["system:masters"] } : undefined, as);
      expect(res.status).toBe(403);
      expect(res.body.message).toBe(message);
    }
    expect((await api<UserTokenList>("GET", TOKENS)).body.items.some((t) => t.user === "mallory")).toBe(false);
  });
});

describe("user tokens: create, list, revoke", () => {
  it("creates a token that authenticates as the user and groups, answered once and listed without it", async () => {
    const user = unique("alice");
    const created = await mint({ user, groups: ["team-a", "team-b"], ttl: "24h" });
    expect(created).toMatchObject({ kind: "UserToken", apiVersion: "users.duraplane.io/v1", user, groups: ["team-a", "team-b"] });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(created.expiresAt ?? "") - Date.parse(created.createdAt)).toBe(24 * 3_600_000);
    const me = await whoami(created.token);
    expect(me.status).toBe(201);
    expect(me.body.status.userInfo).toEqual({ username: user, groups: ["team-a", "team-b", "system:authenticated"] });

    const list = await api<UserTokenList>("GET", TOKENS);
    expect(list.status).toBe(200);
    expect(list.body.kind).toBe("UserTokenList");
    const listed = list.body.items.find((t) => t.id === created.id);
    expect(listed).toEqual({ id: created.id, user, groups: ["team-a", "team-b"], createdAt: created.createdAt, expiresAt: created.expiresAt });
    // Neither the token nor its hash is ever listed.
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(created.token);
    expect(list.body.items.every((t) => !("token" in t) && !("tokenHash" in t))).toBe(true);
    // Node tokens are not user tokens.
    expect(list.body.items.some((t) => t.user.startsWith("system:node:"))).toBe(false);
  });

  it("a token without ttl never expires", async () => {
    const created = await mint({ user: unique("carol") });
    expect(created.expiresAt).toBeUndefined();
    expect(created.groups).toEqual([]);
    expect((await whoami(created.token)).body.status.userInfo.groups).toEqual(["system:authenticated"]);
  });

  it("revokes at once (even a token this isolate has cached), idempotently, and says so", async () => {
    const user = unique("dave");
    const created = await mint({ user, groups: ["team-a"] });
    expect((await whoami(created.token)).status).toBe(201);
    const res = await api<StatusBody & { status: string }>("POST", `${TOKENS}/${created.id}/revoke`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: "Status", status: "Success", message: `revoked token "${created.id}" of user "${user}"` });
    expect((await whoami(created.token)).status).toBe(401);
    const again = await api<StatusBody>("POST", `${TOKENS}/${created.id}/revoke`);
    expect(again.status).toBe(200);
    expect(again.body.message).toMatch(new RegExp(`^token "${created.id}" of user "${user}" was already revoked at \\d{4}-`));
    const listed = (await api<UserTokenList>("GET", TOKENS)).body.items.find((t) => t.id === created.id);
    expect(listed?.revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("answers an unknown id with 404 and a node's token with a pointer to the host API", async () => {
    const unknown = await api<StatusBody>("POST", `${TOKENS}/no-such-id/revoke`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('tokens.users.duraplane.io "no-such-id" not found');
    const node = unique("host");
    const nodeToken = unique("node-token");
    await createToken(env, nodeToken, { username: `system:node:${node}`, groups: ["system:nodes"], node });
    const row = await env.DB.prepare("SELECT id FROM tokens WHERE node_name = ?").bind(node).first<{ id: string }>();
    const res = await api<StatusBody>("POST", `${TOKENS}/${row?.id ?? ""}/revoke`);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`token "${row?.id ?? ""}" belongs to node "${node}": node tokens are managed by the host API, revoke them with POST /apis/hosts.duraplane.io/v1/nodes/${node}/revoke`);
    expect((await api("GET", `/api/v1/nodes/${node}`, undefined, { authorization: `Bearer ${nodeToken}` })).status).not.toBe(401);
  });

  it("an expired token is refused with 401, even one this isolate has cached", async () => {
    const created = await mint({ user: unique("erin"), ttl: "1s" });
    expect((await whoami(created.token)).status).toBe(201);
    await new Promise((r) => setTimeout(r, Date.parse(created.expiresAt ?? "") - Date.now() + 50));
    expect((await whoami(created.token)).status).toBe(401);
  });
});

describe("user tokens: validation", () => {
  async function refused(body: unknown, code: number): Promise<StatusBody> {
    const res = await api<StatusBody>("POST", TOKENS, body);
    expect(res.status, JSON.stringify(res.body)).toBe(code);
    return res.body;
  }

  it("refuses ttls that are not Go durations or out of bounds (422), saying how to write them", async () => {
    expect((await refused({ user: "alice", ttl: "7d" }, 422)).message).toBe(
      'UserToken "alice" is invalid: ttl: Invalid value: "7d": time: unknown unit "d" in duration "7d" (Go durations have no days: use hours, e.g. 168h for 7 days)',
    );
    expect((await refused({ user: "alice", ttl: "24" }, 422)).message).toMatch(/ttl: Invalid value: "24": time: missing unit in duration "24" \(a Go duration such as 90m, 24h or 1h30m\)/);
    for (const ttl of ["500ms", "0", "-1h", "87601h"]) {
      expect((await refused({ user: "alice", ttl }, 422)).message).toMatch(/ttl: .*must be from 1s to 87600h \(ten years\); omit ttl for a token that never expires/);
    }
    expect((await mint({ user: unique("alice"), ttl: "90m" })).expiresAt).toBeDefined();
  });

  it("refuses empty and reserved usernames (422) and allows other system: names", async () => {
    const empty = await refused({ user: "" }, 422);
    expect(empty.details?.causes).toEqual([{ reason: "FieldValueRequired", field: "user", message: "Required value" }]);
    expect((await refused({ user: "system:node:host-1" }, 422)).message).toMatch(/usernames starting with "system:node:" are reserved: node identities come from joining a host/);
    expect((await refused({ user: "system:serviceaccount:a:ci" }, 422)).message).toMatch(/usernames starting with "system:serviceaccount:" are reserved: .*kubectl create token/);
    expect((await refused({ user: "system:anonymous" }, 422)).message).toMatch(/reserved/);
    expect((await refused({ user: "a\nb" }, 422)).message).toMatch(/control characters/);
    expect((await mint({ user: unique("system:kube-scheduler"), groups: ["system:masters"] })).groups).toEqual(["system:masters"]);
  });

  it("refuses empty, duplicate and reserved groups (422), one cause each", async () => {
    const body = await refused({ user: "alice", groups: ["team-a", "", "team-a", "system:nodes", "system:serviceaccounts:kube-system", "system:unauthenticated"] }, 422);
    expect(body.details?.causes?.map((c) => [c.field, c.reason])).toEqual([
      ["groups[1]", "FieldValueRequired"], ["groups[2]", "FieldValueDuplicate"], ["groups[3]", "FieldValueInvalid"],
      ["groups[4]", "FieldValueInvalid"], ["groups[5]", "FieldValueInvalid"],
    ]);
    expect(body.details?.causes?.[2]?.message).toMatch(/this group is reserved: it is the group of node identities/);
  });

  it("refuses malformed bodies with 400 naming the field", async () => {
    expect((await refused({ user: 7 }, 400)).message).toMatch(/^UserToken body is malformed: user: /);
    expect((await refused({ groups: ["a"] }, 400)).message).toMatch(/user: /);
    expect((await refused({ user: "alice", groups: "team-a" }, 400)).message).toMatch(/groups: /);
    expect((await refused({ user: "alice", ttl: 3600 }, 400)).message).toMatch(/ttl: /);
    expect((await refused({ user: "alice", expires: "1h" }, 400)).message).toMatch(/expires/);
    expect((await refused("{not json", 400)).message).toBe("UserToken body is not JSON");
  });
});
