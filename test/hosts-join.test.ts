/**
 * Joining: single-use join tokens exchanged for node-bound credentials; the
 * Node appears with its capacity and Ready=Unknown until its first heartbeat.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { api, type StatusBody } from "./helpers";
import { asNode, join, joinNode, joinToken, postReport } from "./hosts-helpers";

const unique = (p: string): string => `${p}-${crypto.randomUUID().slice(0, 8)}`;

describe("join tokens", () => {
  it("mints bootstrap-style tokens only for admins", async () => {
    const token = await joinToken();
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const bad = await api("POST", "/apis/hosts.duraplane.io/v1/jointokens", { ttlSeconds: -5 });
    expect(bad.status).toBe(400);
    expect((bad.body as unknown as StatusBody).message).toMatch(/ttlSeconds/);
  });

  it("joins once: creates the Node and returns a bound token and a signing secret", async () => {
    const name = unique("host");
    const token = await joinToken();
    const res = await join(token, { nodeName: name, labels: { rack: "r1" }, capacity: { cpu: "16", memory: "64Gi", pods: "110" } });
    expect(res.status).toBe(201);
    expect(res.body.nodeName).toBe(name);
    expect(res.body.signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(res.body.webhookPath).toBe(`/webhooks/v1/nodes/${name}/reports`);
    const node = await api<KubeObject & { status: { capacity: Record<string, string>; conditions: { type: string; status: string; reason: string }[] } }>("GET", `/api/v1/nodes/${name}`);
    expect(node.status).toBe(200);
    expect(node.body.metadata.labels).toMatchObject({ rack: "r1", "kubernetes.io/hostname": name });
    expect(node.body.status.capacity).toEqual({ cpu: "16", memory: "64Gi", pods: "110" });
    expect(node.body.status.conditions).toEqual([expect.objectContaining({ type: "Ready", status: "Unknown", reason: "NodeStatusNeverUpdated" })]);
    // The token is spent.
    const again = await join(token, { nodeName: unique("host") });
    expect(again.status).toBe(401);
    // The node token works for its own Node.
    const own = await api("GET", `/api/v1/nodes/${name}`, undefined, { authorization: `Bearer ${res.body.token}` });
    expect(own.status).toBe(200);
  });

  it("refuses unknown, malformed and expired tokens with 401", async () => {
    for (const t of ["abcdef.0123456789abcdef", "not-a-token", ""]) {
      const res = await join(t, { nodeName: unique("host") });
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/join/);
    }
    const short = await joinToken(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await join(short, { nodeName: unique("host") })).status).toBe(401);
  });

  it("refuses an invalid node name with 422 without spending the token", async () => {
    const token = await joinToken();
    const res = await join(token, { nodeName: "Not_A_Name" });
    expect(res.status).toBe(422);
    expect((res.body as unknown as StatusBody).details?.causes?.[0]?.field).toBe("nodeName");
    expect((await join(token, { nodeName: unique("host") })).status).toBe(201);
  });

  it("refuses a second join of a node with live credentials, and allows it after revocation", async () => {
    const name = unique("host");
    expect((await join(await joinToken(), { nodeName: name })).status).toBe(201);
    const token = await joinToken();
    const twice = await join(token, { nodeName: name });
    expect(twice.status).toBe(409);
    expect(twice.body.message).toMatch(/already joined; revoke/);
    expect((await api("POST", `/apis/hosts.duraplane.io/v1/nodes/${name}/revoke`)).status).toBe(200);
    // The refused attempt gave its token back.
    expect((await join(token, { nodeName: name })).status).toBe(201);
  });

  it("answers revoke and rotate of an unknown node with 404", async () => {
    expect((await api("POST", "/apis/hosts.duraplane.io/v1/nodes/nobody/revoke")).status).toBe(404);
    expect((await api("POST", "/apis/hosts.duraplane.io/v1/nodes/nobody/rotate")).status).toBe(404);
  });
});

describe("joins are one atomic decision and safe to retry", () => {
  it("two joins of one name at once: exactly one gets credentials, the other 409 and keeps its token", async () => {
    for (let round = 0; round < 3; round++) {
      const name = unique("race");
      const tokens = [await joinToken(), await joinToken()];
      const answers = await Promise.all(tokens.map((t) => join(t, { nodeName: name })));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
      const lost = answers.findIndex((a) => a.status === 409);
      expect(answers[lost]?.body.message).toBe(`node "${name}" has already joined; revoke its credentials (POST /apis/hosts.duraplane.io/v1/nodes/${name}/revoke) before it joins again`);
      const live = await env.DB.prepare("SELECT COUNT(*) AS n FROM tokens WHERE node_name = ? AND revoked_at IS NULL").bind(name).first<{ n: number }>();
      expect(live?.n).toBe(1);
      // The loser's token was not spent: once the winner is revoked, it joins.
      expect((await api("POST", `/apis/hosts.duraplane.io/v1/nodes/${name}/revoke`)).status).toBe(200);
      expect((await join(tokens[lost] ?? "", { nodeName: name })).status).toBe(201);
    }
  });

  it("a retry with the same request id gets the same credentials; nobody else does", async () => {
    const name = unique("retry");
    const token = await joinToken();
    const requestId = "r".repeat(10) + crypto.randomUUID().replaceAll("-", "");
    const first = await join(token, { nodeName: name, requestId });
    expect(first.status).toBe(201);
    const again = await join(token, { nodeName: name, requestId });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    // The token alone, another request id, or another name: refused as a spent token.
    for (const body of [{ nodeName: name }, { nodeName: name, requestId: `x${requestId}` }, { nodeName: unique("retry"), requestId }]) {
      const other = await join(token, body);
      expect(other.status).toBe(401);
      expect(other.body.message).toBe("join token is invalid, expired or already used");
    }
    expect((await asNode(first.body.token, "GET", `/api/v1/nodes/${name}`)).status).toBe(200);
    // Once the credentials are revoked, a replay hands out nothing.
    expect((await api("POST", `/apis/hosts.duraplane.io/v1/nodes/${name}/revoke`)).status).toBe(200);
    expect((await join(token, { nodeName: name, requestId })).status).toBe(401);
  });

  it("the same join sent twice at once: both answers carry the one set of credentials", async () => {
    const name = unique("twice");
    const token = await joinToken();
    const requestId = crypto.randomUUID().replaceAll("-", "");
    const [a, b] = await Promise.all([join(token, { nodeName: name, requestId }), join(token, { nodeName: name, requestId })]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.token).toBe(b.body.token);
  });

  it("refuses a malformed request id with 400", async () => {
    const res = await join(await joinToken(), { nodeName: unique("host"), requestId: "short" });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/requestId/);
  });
});

describe("signing secret rotation is bounded", () => {
  it("however often a node rotates, only its newest and one previous secret are valid", async () => {
    const creds = await joinNode(unique("rot"));
    const secrets = [creds.signingSecret];
    for (let i = 0; i < 5; i++) {
      const rotated = await asNode<{ signingSecret: string; previousValidUntil: string }>(creds.token, "POST", `/apis/hosts.duraplane.io/v1/nodes/${creds.nodeName}/rotate`);
      expect(rotated.status).toBe(200);
      secrets.push(rotated.body.signingSecret);
    }
    const live = await env.DB.prepare("SELECT COUNT(*) AS n FROM node_secrets WHERE node_name = ? AND revoked_at IS NULL AND (not_after IS NULL OR not_after > ?)")
      .bind(creds.nodeName, Date.now()).first<{ n: number }>();
    expect(live?.n).toBe(2);
    // Signing caches live 2 s per isolate.
    await new Promise((r) => setTimeout(r, 2100));
    const report = { items: [] };
    expect((await postReport(creds.nodeName, secrets[5] ?? "", report)).status).toBe(200);
    expect((await postReport(creds.nodeName, secrets[4] ?? "", report)).status).toBe(200);
    for (const old of secrets.slice(0, 4)) expect((await postReport(creds.nodeName, old, report)).status).toBe(401);
  });
});
