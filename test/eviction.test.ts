/**
 * policy/v1 PodDisruptionBudget and the pods/eviction subresource, through
 * the real Worker, Durable Objects and Queue: the disruption controller's
 * status, and evictions allowed, refused with 429, of unhealthy and terminal
 * pods, with several budgets, dry-run, and in the protobuf kubectl drain sends.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createToken } from "../workers/api/auth";
import { api, ensureToken, eventually, namespace, pod, readResponse, send, TOKEN, type StatusBody } from "./helpers";

const MERGE = { "content-type": "application/merge-patch+json" };

interface PdbStatus {
  observedGeneration?: number;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
  disruptedPods?: Record<string, string>;
  conditions?: { type: string; status: string; reason?: string }[];
}
interface Pdb { metadata: { generation?: number }; spec: Record<string, unknown>; status?: PdbStatus }

const pdbPath = (ns: string, name = "") => `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets${name ? `/${name}` : ""}`;
const podPath = (ns: string, name = "") => `/api/v1/namespaces/${ns}/pods${name ? `/${name}` : ""}`;

/** Creates a pod labelled app=web and reports it Running (Ready unless `ready` is false) or in `phase`. */
async function runningPod(ns: string, name: string, o: { ready?: boolean; phase?: string; labels?: Record<string, string> } = {}): Promise<void> {
  expect((await api("POST", podPath(ns), pod(name, {}, o.labels ?? { app: "web" }))).status).toBe(201);
  const status = {
    phase: o.phase ?? "Running",
    conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True", lastTransitionTime: "2026-01-01T00:00:00Z" }],
  };
  const res = await api("PATCH", `${podPath(ns, name)}/status`, { status }, MERGE);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function createPdb(ns: string, name: string, spec: Record<string, unknown>): Promise<void> {
  const res = await api("POST", pdbPath(ns), { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name }, spec });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** Waits until the controller published a status satisfying `check`; returns it. */
async function pdbStatus(ns: string, name: string, check: (s: PdbStatus) => boolean): Promise<PdbStatus> {
  let last: PdbStatus = {};
  await eventually(async () => {
    const got = await api<Pdb>("GET", pdbPath(ns, name));
    last = got.body.status ?? {};
    return last.observedGeneration === got.body.metadata.generation && check(last);
  }, 15_000).catch((err: unknown) => {
    throw new Error(`${String(err)}; last status ${JSON.stringify(last)}`);
  });
  return last;
}

function evict(ns: string, name: string, extra: Record<string, unknown> = {}, query = "") {
  return api<StatusBody>("POST", `${podPath(ns, name)}/eviction${query}`, {
    apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: ns }, ...extra,
  });
}

async function exists(ns: string, name: string): Promise<boolean> {
  return (await api("GET", podPath(ns, name))).status === 200;
}

describe("PodDisruptionBudget", () => {
  it("is served with defaults, validation, the pdb short name and kubectl get columns", async () => {
    const ns = await namespace("pdb");
    await createPdb(ns, "d", { selector: { matchLabels: { app: "web" } } });
    const got = await api<Pdb>("GET", pdbPath(ns, "d"));
    expect(got.body.spec.minAvailable).toBe(1);
    expect(got.body.status).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
    const both = await api<StatusBody>("POST", pdbPath(ns), {
      apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "x" }, spec: { minAvailable: 1, maxUnavailable: "150%" },
    });
    expect(both.status).toBe(422);
    expect(both.body.message).toContain("minAvailable and maxUnavailable cannot be both set");
    expect(both.body.message).toContain("must not be greater than 100%");

    const discovery = await api<{ resources: { name: string; shortNames?: string[] }[] }>("GET", "/apis/policy/v1");
    expect(discovery.body.resources.find((r) => r.name === "poddisruptionbudgets")?.shortNames).toEqual(["pdb"]);
    const core = await api<{ resources: { name: string; group?: string; version?: string; kind: string; verbs: string[] }[] }>("GET", "/api/v1");
    expect(core.body.resources.find((r) => r.name === "pods/eviction")).toMatchObject({ group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] });

    const table = await api<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>("GET", pdbPath(ns), undefined, {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
    });
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"]);
    expect(table.body.rows[0]?.cells.slice(0, 4)).toEqual(["d", "1", "N/A", 0]);

    // OpenAPI v3 (what kubectl create --validate=strict and explain read).
    const index = await api<{ paths: Record<string, unknown> }>("GET", "/openapi/v3");
    expect(Object.keys(index.body.paths)).toContain("apis/policy/v1");
    const doc = await api<{ components: { schemas: Record<string, unknown> } }>("GET", "/openapi/v3/apis/policy/v1");
    expect(Object.keys(doc.body.components.schemas)).toContain("io.k8s.api.policy.v1.PodDisruptionBudget");
  });

  it("the disruption controller counts healthy pods against minAvailable and maxUnavailable of their ReplicaSet", async () => {
    const ns = await namespace("pdb");
    await createPdb(ns, "min", { minAvailable: 2, selector: { matchLabels: { app: "web" } } });
    for (const n of ["a", "b", "c"]) await runningPod(ns, n);
    await runningPod(ns, "sick", { ready: false });
    await runningPod(ns, "other", { labels: { app: "db" } });
    const s = await pdbStatus(ns, "min", (st) => st.currentHealthy === 3 && st.expectedPods === 4);
    expect(s).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 4, disruptionsAllowed: 1 });
    expect(s.conditions).toMatchObject([{ type: "DisruptionAllowed", status: "True", reason: "SufficientPods" }]);

    // maxUnavailable counts the controllers' replicas: a ReplicaSet of 4 whose pods are not Ready yet.
    const rs = {
      apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs" },
      spec: { replicas: 4, selector: { matchLabels: { app: "rs" } }, template: { metadata: { labels: { app: "rs" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
    };
    expect((await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs)).status).toBe(201);
    // Created pods are counted by the budget's own change or its resync, not by each pod's creation.
    await eventually(async () => (await api<{ items: unknown[] }>("GET", `${podPath(ns)}?labelSelector=app%3Drs`)).body.items.length === 4, 15_000);
    await createPdb(ns, "max", { maxUnavailable: "25%", selector: { matchLabels: { app: "rs" } } });
    const m = await pdbStatus(ns, "max", (st) => st.expectedPods === 4);
    expect(m).toMatchObject({ expectedPods: 4, desiredHealthy: 3, currentHealthy: 0, disruptionsAllowed: 0 });
    expect(m.conditions).toMatchObject([{ type: "DisruptionAllowed", status: "False", reason: "InsufficientPods" }]);
  });
});

describe("pods/eviction", () => {
  it("evicts within the budget, then answers 429 with a DisruptionBudget cause", async () => {
    const ns = await namespace("evict");
    for (const n of ["a", "b", "c"]) await runningPod(ns, n);
    await createPdb(ns, "pdb", { minAvailable: 2, selector: { matchLabels: { app: "web" } } });
    await pdbStatus(ns, "pdb", (s) => s.disruptionsAllowed === 1);

    const ok = await evict(ns, "a");
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ kind: "Status", status: "Success" });
    expect(await exists(ns, "a")).toBe(false);

    // The decrement is visible at once, whatever the controller has yet seen. The cause quotes the
    // budget's status as upstream does: currentHealthy is 3 until the controller recounts, then 2.
    const refused = await evict(ns, "b");
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      reason: "TooManyRequests", message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: "DisruptionBudget", message: expect.stringMatching(/^The disruption budget pdb needs 2 healthy pods and has [23] currently$/) }] },
    });
    expect(await exists(ns, "b")).toBe(true);
    const s = await pdbStatus(ns, "pdb", (st) => st.currentHealthy === 2);
    expect(s).toMatchObject({ disruptionsAllowed: 0, expectedPods: 2 });
    expect(s.disruptedPods).toBeUndefined();
  });

  it("lets unhealthy pods go per unhealthyPodEvictionPolicy, and terminal or Pending pods always", async () => {
    const ns = await namespace("evict");
    await runningPod(ns, "ok1");
    await runningPod(ns, "ok2");
    await runningPod(ns, "sick", { ready: false });
    await runningPod(ns, "done", { phase: "Failed", ready: false });
    await createPdb(ns, "tight", { minAvailable: 2, selector: { matchLabels: { app: "web" } } });
    await pdbStatus(ns, "tight", (s) => s.currentHealthy === 2);
    // IfHealthyBudget (default): the budget is met (2 of 2), so the unhealthy pod may go without a disruption.
    expect((await evict(ns, "sick")).status).toBe(201);
    expect((await evict(ns, "done")).status).toBe(201);
    expect((await evict(ns, "ok1")).status).toBe(429);

    // Not met: under IfHealthyBudget an unhealthy pod needs a disruption (none left); AlwaysAllow lets it go.
    await runningPod(ns, "sick2", { ready: false });
    await api("PATCH", pdbPath(ns, "tight"), { spec: { minAvailable: 3 } }, MERGE);
    await pdbStatus(ns, "tight", (s) => s.desiredHealthy === 3);
    expect((await evict(ns, "sick2")).status).toBe(429);
    await api("PATCH", pdbPath(ns, "tight"), { spec: { unhealthyPodEvictionPolicy: "AlwaysAllow" } }, MERGE);
    expect((await evict(ns, "sick2")).status).toBe(201);
    expect(await exists(ns, "sick2")).toBe(false);

    const pending = pod("pending", {}, { app: "web" });
    expect((await api("POST", podPath(ns), pending)).status).toBe(201);
    expect((await evict(ns, "pending")).status).toBe(201);
  });

  it("refuses a pod under two budgets (500, as upstream), honours dry-run, answers 404 and 400", async () => {
    const ns = await namespace("evict");
    for (const n of ["a", "b", "c"]) await runningPod(ns, n);
    await createPdb(ns, "one", { maxUnavailable: 1, selector: { matchLabels: { app: "web" } } });
    await createPdb(ns, "two", { minAvailable: 1, selector: { matchExpressions: [{ key: "app", operator: "Exists" }] } });
    const twice = await evict(ns, "a");
    expect(twice.status).toBe(500);
    expect(twice.body.message).toContain("more than one PodDisruptionBudget");
    expect((await api("DELETE", pdbPath(ns, "one"))).status).toBe(200);
    await pdbStatus(ns, "two", (s) => s.disruptionsAllowed === 2);

    expect((await evict(ns, "a", {}, "?dryRun=All")).status).toBe(201);
    expect((await evict(ns, "a", { deleteOptions: { dryRun: ["All"] } })).status).toBe(201);
    expect(await exists(ns, "a")).toBe(true);
    expect((await api<Pdb>("GET", pdbPath(ns, "two"))).body.status?.disruptionsAllowed).toBe(2);

    expect((await evict(ns, "nope")).status).toBe(404);
    expect((await evict(ns, "a", { metadata: { name: "b" } })).status).toBe(400);
    expect((await evict(ns, "a", { deleteOptions: { gracePeriodSeconds: "x" } })).status).toBe(400);
  });

  it("accepts the protobuf Eviction kubectl drain posts", async () => {
    const ns = await namespace("evict");
    await runningPod(ns, "p");
    const utf8 = new TextEncoder();
    const field = (n: number, bytes: number[]): number[] => [(n << 3) | 2, bytes.length, ...bytes];
    const str = (n: number, s: string): number[] => field(n, [...utf8.encode(s)]);
    const eviction = [...field(1, [...str(1, "p"), ...str(3, ns)]), ...field(2, [])];
    const typeMeta = [...str(1, "policy/v1"), ...str(2, "Eviction")];
    const body = new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...field(1, typeMeta), ...field(2, eviction)]);
    await ensureToken();
    const res = await readResponse<StatusBody>(await send(new Request(`https://duraplane.test${podPath(ns, "p")}/eviction`, {
      method: "POST", body, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/vnd.kubernetes.protobuf" },
    })));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await exists(ns, "p")).toBe(false);
  });
});

describe("RBAC for evictions and budgets (bootstrap roles, as upstream)", () => {
  it("edit may create pods/eviction and write budgets; view may only read budgets", async () => {
    const ns = await namespace("evict-rbac");
    await runningPod(ns, "p");
    const tokens: Record<string, string> = {};
    for (const role of ["edit", "view"]) {
      const name = `${role}-${crypto.randomUUID().slice(0, 6)}`;
      tokens[role] = `${name}-token`;
      await createToken(env, tokens[role], { username: name, groups: [] });
      const binding = {
        apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role }, subjects: [{ kind: "User", name }],
      };
      expect((await api("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, binding)).status).toBe(201);
    }
    const as = async (role: string, method: string, path: string, body: unknown) => (await send(new Request(`https://duraplane.test${path}`, {
      method, body: JSON.stringify(body), headers: { authorization: `Bearer ${tokens[role] ?? ""}`, "content-type": "application/json" },
    }))).status;
    const pdb = { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "b" }, spec: { minAvailable: 0, selector: {} } };
    const eviction = { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "p" } };
    expect(await as("view", "POST", pdbPath(ns), pdb)).toBe(403);
    expect(await as("view", "POST", `${podPath(ns, "p")}/eviction`, eviction)).toBe(403);
    expect((await send(new Request(`https://duraplane.test${pdbPath(ns)}`, { headers: { authorization: `Bearer ${tokens.view ?? ""}` } }))).status).toBe(200);
    expect(await as("edit", "POST", pdbPath(ns), pdb)).toBe(201);
    // A budget not yet observed at its generation refuses (upstream: "still being processed").
    await pdbStatus(ns, "b", (s) => s.disruptionsAllowed === 1);
    expect(await as("edit", "POST", `${podPath(ns, "p")}/eviction`, eviction)).toBe(201);
  });
});
