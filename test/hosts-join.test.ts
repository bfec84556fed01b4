/**
 * Joining: single-use join tokens exchanged for node-bound credentials; the
 * Node appears with its capacity and Ready=Unknown until its first heartbeat.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { api, type StatusBody } from "./helpers";
import { join, joinToken } from "./hosts-helpers";

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
