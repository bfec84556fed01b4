/**
 * flowcontrol.apiserver.k8s.io/v1: the API Priority and Fairness
 * configuration served as FlowSchema and PriorityLevelConfiguration objects
 * — discovery, lists, one object, upstream's table columns, the UIDs a
 * response's X-Kubernetes-PF-* headers name, RBAC, and every write refused.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createToken } from "../workers/api/auth";
import { api, readResponse, send } from "./helpers";

const FC = "/apis/flowcontrol.apiserver.k8s.io/v1";
const TABLE = { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" };

interface Obj { metadata: { name: string; uid: string; resourceVersion: string; creationTimestamp?: string; annotations?: Record<string, string> }; spec: Record<string, unknown>; status?: Record<string, unknown> }
interface List { kind: string; items: Obj[] }
interface Table { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }

async function asUser(name: string, groups: string[], path: string, method = "GET") {
  const token = `${name}-${crypto.randomUUID()}`;
  await createToken(env, token, { username: name, groups });
  return readResponse<{ message?: string; metadata?: unknown }>(await send(new Request(`https://duraplane.test${path}`, { method, headers: { authorization: `Bearer ${token}` } })));
}

describe("flowcontrol.apiserver.k8s.io/v1", () => {
  it("is discovered with its two read-only, cluster-scoped kinds", async () => {
    const groups = await api<{ groups: { name: string }[] }>("GET", "/apis");
    expect(groups.body.groups.map((g) => g.name)).toContain("flowcontrol.apiserver.k8s.io");
    const list = await api<{ resources: { name: string; namespaced: boolean; verbs: string[] }[] }>("GET", FC);
    expect(list.body.resources.filter((r) => !r.name.includes("/")).map((r) => [r.name, r.namespaced, r.verbs])).toEqual([
      ["flowschemas", false, ["get", "list"]],
      ["prioritylevelconfigurations", false, ["get", "list"]],
    ]);
  });

  it("lists the flow schemas in matching order, each naming a level that exists", async () => {
    const schemas = (await api<List>("GET", `${FC}/flowschemas`)).body;
    expect(schemas.kind).toBe("FlowSchemaList");
    expect(schemas.items.map((s) => [s.metadata.name, s.spec.matchingPrecedence])).toEqual([
      ["exempt", 1], ["system-node-high", 400], ["system-controllers", 800], ["service-accounts", 9000], ["global-default", 9900], ["catch-all", 10000],
    ]);
    const levels = (await api<List>("GET", `${FC}/prioritylevelconfigurations`)).body.items.map((l) => l.metadata.name);
    for (const s of schemas.items) expect(levels).toContain((s.spec.priorityLevelConfiguration as { name: string }).name);
    const kubeSystem = (await api<Obj>("GET", "/api/v1/namespaces/kube-system")).body;
    expect(schemas.items[0]?.metadata.creationTimestamp).toBe(kubeSystem.metadata.creationTimestamp);
  });

  it("names in a response's X-Kubernetes-PF-* headers the objects that served it", async () => {
    const token = `alice-${crypto.randomUUID()}`;
    await createToken(env, token, { username: "alice", groups: ["system:authenticated"] });
    // Discovery, which system:discovery grants every authenticated caller.
    const res = await send(new Request("https://duraplane.test/apis", { headers: { authorization: `Bearer ${token}` } }));
    const schemaUid = res.headers.get("x-kubernetes-pf-flowschema-uid");
    const levelUid = res.headers.get("x-kubernetes-pf-prioritylevel-uid");
    const schema = (await api<Obj>("GET", `${FC}/flowschemas/global-default`)).body;
    const level = (await api<Obj>("GET", `${FC}/prioritylevelconfigurations/global-default`)).body;
    expect([schema.metadata.uid, level.metadata.uid]).toEqual([schemaUid, levelUid]);
    expect(schema.spec.distinguisherMethod).toEqual({ type: "ByUser" });
    expect(schema.spec.rules).toEqual([expect.objectContaining({ subjects: [{ kind: "Group", group: { name: "system:authenticated" } }] })]);
    expect(level.spec).toMatchObject({ type: "Limited", limited: { nominalConcurrencyShares: 20, limitResponse: { type: "Queue", queuing: { queueLengthLimit: 50 } } } });
    // The seats the level has in this deployment's isolates (APF_TOTAL_SEATS 600 in the test config: 600 × 20 / 205).
    expect(level.metadata.annotations?.["flowcontrol.duraplane.io/seats-per-isolate"]).toBe("59");
    // One user may hold all but one of them, so another user always finds a seat (levels.ts, seatsPerFlowOf).
    expect(level.metadata.annotations?.["flowcontrol.duraplane.io/seats-per-flow"]).toBe("58");
  });

  it("prints upstream's columns for kubectl get", async () => {
    const schemas = (await api<Table>("GET", `${FC}/flowschemas`, undefined, TABLE)).body;
    expect(schemas.columnDefinitions.map((c) => c.name)).toEqual(["Name", "PriorityLevel", "MatchingPrecedence", "DistinguisherMethod", "Age", "MissingPL"]);
    expect(schemas.rows[0]?.cells.filter((_, i) => i !== 4)).toEqual(["exempt", "exempt", "1", "<none>", "False"]);
    const levels = (await api<Table>("GET", `${FC}/prioritylevelconfigurations/workload-low`, undefined, TABLE)).body;
    expect(levels.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Type", "NominalConcurrencyShares", "Queues", "HandSize", "QueueLengthLimit", "Age"]);
    expect(levels.rows[0]?.cells.slice(0, 6)).toEqual(["workload-low", "Limited", "100", "per flow", "1", "50"]);
    const exempt = (await api<Table>("GET", `${FC}/prioritylevelconfigurations/exempt`, undefined, TABLE)).body;
    expect(exempt.rows[0]?.cells.slice(0, 6)).toEqual(["exempt", "Exempt", "<none>", "<none>", "<none>", "<none>"]);
  });

  it("answers NotFound for a name it does not have, 405 for writes and watches, 403 without a grant", async () => {
    const missing = await api<{ message: string }>("GET", `${FC}/flowschemas/nope`);
    expect([missing.status, missing.body.message]).toEqual([404, 'flowschemas.flowcontrol.apiserver.k8s.io "nope" not found']);
    for (const [method, path] of [["POST", `${FC}/flowschemas`], ["DELETE", `${FC}/flowschemas/exempt`], ["PUT", `${FC}/prioritylevelconfigurations/exempt`], ["GET", `${FC}/flowschemas?watch=true`]] as const) {
      const res = await api<{ message: string }>(method, path, method === "GET" || method === "DELETE" ? undefined : "{}");
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.body.message).toContain("fixed by the deployment");
    }
    const denied = await asUser("bob", ["system:authenticated"], `${FC}/flowschemas`);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe('flowschemas.flowcontrol.apiserver.k8s.io is forbidden: User "bob" cannot list resource "flowschemas" in API group "flowcontrol.apiserver.k8s.io" at the cluster scope');
  });
});
