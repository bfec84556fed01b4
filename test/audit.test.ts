/**
 * The audit log through the real Worker and D1: writes, refusals and host
 * calls are recorded at level Metadata with who, what, which object and the
 * result; reads are not; only system:masters may read it; pages and filters
 * work; rows past retention are pruned.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createToken } from "../workers/api/auth";
import { pruneAudit, recordAudit } from "../workers/audit/audit-log";
import { loseArmedFlushForTest } from "../workers/audit/audit-buffer";
import { api, eventually, namespace, pod, readResponse, send } from "./helpers";
import { asNode, joinNode, postReport } from "./hosts-helpers";

interface AuditEvent {
  auditID: string;
  verb: string;
  stage: string;
  level: string;
  requestURI: string;
  user: { username: string; groups: string[] };
  impersonatedUser?: { username: string; groups: string[] };
  objectRef?: { resource: string; namespace?: string; name?: string; apiGroup: string; apiVersion: string; subresource?: string };
  responseStatus: { code: number; status?: string; reason?: string; message?: string };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}
interface EventList { kind: string; apiVersion: string; metadata: { continue?: string }; items: AuditEvent[] }

const EVENTS = "/apis/audit.duraplane.io/v1/events";

async function auditOf(query: string): Promise<EventList> {
  const res = await api<EventList>("GET", `${EVENTS}?${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe("audit log", () => {
  it("records writes and failed writes with the object and the result; not reads", async () => {
    const ns = await namespace("audit");
    const created = await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
    expect(created.headers.get("audit-id")).toMatch(/^[0-9a-f-]{36}$/);
    await api("POST", `/api/v1/namespaces/${ns}/pods`, { ...pod("x"), metadata: { generateName: "gen-" } });
    await api("GET", `/api/v1/namespaces/${ns}/pods/web`);
    await api("GET", `/api/v1/namespaces/${ns}/pods`);
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/web`, { metadata: { labels: { a: "b" } } }, { "content-type": "application/merge-patch+json" });
    const bad = await api("POST", `/api/v1/namespaces/${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "Bad_Name" }, spec: { containers: [{ name: "c", image: "x" }] } });
    expect(bad.status).toBe(422);
    await api("DELETE", `/api/v1/namespaces/${ns}/pods/web`);

    const list = await auditOf(`namespace=${ns}&user=admin`);
    expect(list).toMatchObject({ kind: "EventList", apiVersion: "audit.k8s.io/v1" });
    // Newest first; the generated name is the one the server chose.
    const seen = list.items.map((e) => `${e.verb} ${e.objectRef?.name ?? ""} ${e.responseStatus.code}`);
    expect(seen).toHaveLength(5);
    expect(seen[0]).toBe("delete web 200");
    expect(seen[1]).toBe("create Bad_Name 422");
    expect(seen[2]).toBe("patch web 200");
    expect(seen[3]).toMatch(/^create gen-[a-z0-9]{5} 201$/);
    expect(seen[4]).toBe("create web 201");
    const first = list.items[4];
    expect(first).toMatchObject({
      auditID: created.headers.get("audit-id"), level: "Metadata", stage: "ResponseComplete",
      requestURI: `/api/v1/namespaces/${ns}/pods`, user: { username: "admin", groups: ["system:masters", "system:authenticated"] },
      objectRef: { resource: "pods", namespace: ns, name: "web", apiGroup: "", apiVersion: "v1" },
    });
    expect(Date.parse(first?.stageTimestamp ?? "")).toBeGreaterThanOrEqual(Date.parse(first?.requestReceivedTimestamp ?? ""));
    expect(list.items[1]?.responseStatus).toMatchObject({ code: 422, status: "Failure", reason: "Invalid" });
    expect(list.items[1]?.responseStatus.message).toContain("Bad_Name");
  });

  it("records refused requests (401, 403) and host calls under the node's name", async () => {
    const ns = await namespace("audit");
    const anonymous = await readResponse(await send(new Request(`https://duraplane.test/api/v1/namespaces/${ns}/pods`, { headers: { authorization: "Bearer nope" } })));
    expect(anonymous.status).toBe(401);
    const refused = await auditOf(`user=system:anonymous&limit=1`);
    expect(refused.items[0]).toMatchObject({ verb: "list", responseStatus: { code: 401 }, objectRef: { namespace: ns, resource: "pods" } });

    const node = await joinNode(`audit-${crypto.randomUUID().slice(0, 8)}`);
    expect((await asNode(node.token, "GET", `/api/v1/namespaces/${ns}/pods`)).status).toBe(403);
    const report = await postReport(node.nodeName, node.signingSecret, { items: [] });
    expect(report.status).toBe(200);
    const byNode = await auditOf(`user=system:node:${node.nodeName}`);
    expect(byNode.items.map((e) => `${e.verb} ${e.responseStatus.code}`)).toEqual(["post 200", "list 403"]);
    expect(byNode.items[0]?.requestURI).toBe(`/webhooks/v1/nodes/${node.nodeName}/reports`);
    // The join itself (the join token is the credential) and the admin's join-token request are there too.
    const joins = await auditOf("resource=join&limit=5");
    expect(joins.items.some((e) => e.verb === "create" && e.responseStatus.code === 201)).toBe(true);
  });

  it("names both identities of an impersonated request: who authenticated and who it acted as", async () => {
    const ns = await namespace("audit");
    const res = await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("as-dave"), { "impersonate-user": "dave", "impersonate-group": "devs" });
    // dave may not create pods (no binding): the refusal is recorded as well as a success would be.
    expect(res.status).toBe(403);
    const events = await auditOf(`namespace=${ns}&limit=5`);
    const e = events.items.find((i) => i.objectRef?.resource === "pods" && i.verb === "create");
    expect(e).toMatchObject({
      user: { username: "admin" },
      impersonatedUser: { username: "dave", groups: expect.arrayContaining(["devs", "system:authenticated"]) },
      responseStatus: { code: 403 },
    });
    // A request that impersonates nobody has no impersonatedUser.
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("plain"))).status).toBe(201);
    const plain = (await auditOf(`namespace=${ns}&limit=5`)).items.find((i) => i.objectRef?.name === "plain");
    expect(plain?.user.username).toBe("admin");
    expect(plain?.impersonatedUser).toBeUndefined();
  });

  it("records controllers' writes as their own system:controller identities", async () => {
    const ns = await namespace("audit");
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, {
      apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web" },
      spec: { replicas: 2, selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
    });
    // The ReplicaSet controller creates two pods and writes the ReplicaSet's status; its rows follow the reconcile.
    let rows: AuditEvent[] = [];
    await eventually(async () => {
      rows = (await auditOf(`namespace=${ns}&user=system:controller:replicaset-controller`)).items;
      return rows.filter((e) => e.verb === "create").length === 2 && rows.some((e) => e.objectRef?.subresource === "status");
    });
    const creates = rows.filter((e) => e.verb === "create");
    for (const e of creates) {
      expect(e).toMatchObject({
        level: "Metadata", stage: "ResponseComplete", requestURI: `/api/v1/namespaces/${ns}/pods`,
        user: { username: "system:controller:replicaset-controller", groups: ["system:controllers", "system:authenticated"] },
        objectRef: { resource: "pods", namespace: ns, apiGroup: "", apiVersion: "v1" },
        responseStatus: { code: 201 },
      });
      expect(e.objectRef?.name).toMatch(/^web-[a-z0-9]{5}$/);
    }
    expect(rows.find((e) => e.objectRef?.subresource === "status")).toMatchObject({
      verb: expect.stringMatching(/^(update|patch)$/),
      requestURI: `/apis/apps/v1/namespaces/${ns}/replicasets/web/status`,
      objectRef: { resource: "replicasets", apiGroup: "apps", name: "web" },
    });
    // Another controller, another identity: the namespace's `default` ServiceAccount; the admin's create stays the admin's.
    await eventually(async () => (await auditOf(`namespace=${ns}&user=system:controller:service-account-controller`)).items
      .some((e) => e.verb === "create" && e.objectRef?.resource === "serviceaccounts" && e.objectRef.name === "default"));
    const admin = (await auditOf(`namespace=${ns}&user=admin`)).items;
    expect(admin.map((e) => `${e.verb} ${e.objectRef?.resource ?? ""}`)).toEqual(["create replicasets"]);
  });

  it("pages newest first with continue, filters, and refuses what it cannot read", async () => {
    const ns = await namespace("audit");
    for (const name of ["a", "b", "c", "d", "e"]) await api("POST", `/api/v1/namespaces/${ns}/pods`, pod(name));
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await auditOf(`namespace=${ns}&user=admin&verb=create&limit=2${token ? `&continue=${encodeURIComponent(token)}` : ""}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      names.push(...page.items.map((e) => e.objectRef?.name ?? ""));
      token = page.metadata.continue;
    } while (token);
    expect(names).toEqual(["e", "d", "c", "b", "a"]);
    expect((await auditOf(`namespace=${ns}&name=c`)).items).toHaveLength(1);
    expect((await auditOf(`namespace=${ns}&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).items).toEqual([]);

    for (const [q, msg] of [["limit=0", "limit"], ["continue=%%%", "continue"], ["since=yesterday", "since"]] as const) {
      const res = await api<{ reason: string; message: string }>("GET", `${EVENTS}?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.message).toContain(msg);
    }
    // A user RBAC grants nothing is refused as upstream words it; a node is fenced off by NodeRestriction.
    await createToken(env, "audit-alice-token", { username: "alice", groups: ["developers"] });
    const denied = await asNode<{ message: string }>("audit-alice-token", "GET", EVENTS);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(`events.audit.duraplane.io is forbidden: User "alice" cannot list resource "events" in API group "audit.duraplane.io" at the cluster scope`);
    const node = await joinNode(`audit-${crypto.randomUUID().slice(0, 8)}`);
    expect((await asNode(node.token, "GET", EVENTS)).status).toBe(403);
  });

  it("writes rows in batches: a burst is all there when read back, and waiting rows reach D1 on their own", async () => {
    const ns = await namespace("audit");
    const names = Array.from({ length: 130 }, (_, i) => `p${i}`);
    for (let i = 0; i < names.length; i += 26) {
      await Promise.all(names.slice(i, i + 26).map(async (n) => expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod(n))).status).toBe(201)));
    }
    // Pods only: the namespace's `default` ServiceAccount is created by its controller, whenever that runs.
    const read = await auditOf(`namespace=${ns}&verb=create&resource=pods&limit=500`);
    expect(read.items.map((e) => e.objectRef?.name).sort()).toEqual([...names].sort());

    // No reader this time: the batch's timer writes the rows within its wait.
    const quiet = await namespace("audit");
    expect((await api("POST", `/api/v1/namespaces/${quiet}/pods`, pod("alone"))).status).toBe(201);
    // The create's row only: a controller's later write to the pod (the scheduler's status, when a
    // Node exists) is audited too, and counting every row of the pod made this fail now and then.
    const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE namespace = ? AND resource = 'pods' AND verb = 'create'").bind(quiet).first<{ n: number }>())?.n;
    await eventually(async () => (await count()) === 1).catch(async (err: unknown) => {
      // Say what D1 holds, to tell a lost row from a misfiled one.
      const rows = await env.DB.prepare("SELECT verb, resource, name, code FROM audit_events WHERE namespace = ? OR name = 'alone'").bind(quiet).all();
      throw new Error(`${err instanceof Error ? err.message : String(err)}; rows of namespace ${quiet} or named "alone": ${JSON.stringify(rows.results)}`);
    });
  });

  it("writes a row behind a flush armed by a context since lost, though no later row comes to arm another", async () => {
    const ns = await namespace("audit");
    const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE namespace = ? AND resource = 'configmaps' AND verb = 'create' AND name = 'behind-a-lost-flush'").bind(ns).first<{ n: number }>())?.n;
    // Let the flushes armed so far run, then arm one that nothing stands behind.
    await new Promise((r) => setTimeout(r, 3 * 200));
    loseArmedFlushForTest();
    // A ConfigMap wakes no controller, so no other row is buffered after it.
    const created = await api("POST", `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "behind-a-lost-flush" }, data: { a: "b" } });
    expect(created.status).toBe(201);
    await eventually(async () => (await count()) === 1, 3000);
  });

  it("prunes rows past retention", async () => {
    // An hour old, well within the default retention (168 h): every insert may prune past that
    // (insertAudit), and a row older than it could be pruned by a controller's batch before it is read.
    const old = new Date(Date.now() - 3_600_000);
    const id = crypto.randomUUID();
    await recordAudit(env, {
      id, receivedAt: old, completedAt: old, verb: "create", requestUri: "/x", username: "old-user", groups: "[]",
      sourceIp: "", userAgent: "", code: 201,
    }, () => 0.5);
    expect((await auditOf("user=old-user")).items.map((e) => e.auditID)).toEqual([id]);
    expect(await pruneAudit(env, new Date(Date.now() - 1_800_000))).toBeGreaterThanOrEqual(1);
    expect((await auditOf("user=old-user")).items).toEqual([]);
  });
});
