/**
 * The `pool` strategy: a quota.duraplane.io/v1 ClusterResourceQuota shared
 * atomically by every namespace its selector matches, with status in total
 * and per namespace (OpenShift's shape).
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { api, eventually, pod } from "./helpers";
import { createPod } from "./quota-helpers";

const CRQS = "/apis/quota.duraplane.io/v1/clusterresourcequotas";

async function labelledNamespace(prefix: string, labels: Record<string, string>): Promise<string> {
  const name = `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
  const res = await api("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
  if (res.status !== 201) throw new Error(`namespace create failed: ${res.status}`);
  return name;
}

type CrqStatus = { total?: { hard?: Record<string, string>; used?: Record<string, string> }; namespaces?: { namespace: string; status: { used?: Record<string, string> } }[] };

describe("ClusterResourceQuota (pool)", () => {
  it("is shared atomically across the namespaces it selects: 50 concurrent creates admit exactly the room", async () => {
    const team = crypto.randomUUID().slice(0, 8);
    const a = await labelledNamespace("pa", { team });
    const b = await labelledNamespace("pb", { team });
    const other = await labelledNamespace("po", { team: "other" });
    const name = `pool-${team}`;
    const created = await api("POST", CRQS, {
      apiVersion: "quota.duraplane.io/v1", kind: "ClusterResourceQuota", metadata: { name },
      spec: { selector: { labels: { matchLabels: { team } } }, quota: { hard: { pods: "10" } } },
    });
    expect(created.status).toBe(201);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => createPod(i % 2 === 0 ? a : b, pod(`p${i}`))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    const refused = results.filter((r) => r.status === 403);
    expect(refused).toHaveLength(40);
    expect(refused[0]?.body.message).toMatch(new RegExp(`^pods "p\\d+" is forbidden: exceeded quota: ${name}, requested: pods=1, used: pods=10, limited: pods=10$`));
    // A namespace the selector does not match is not limited.
    expect((await createPod(other, pod("free"))).status).toBe(201);
    await eventually(async () => {
      const got = await api<KubeObject & { status?: CrqStatus }>("GET", `${CRQS}/${name}`);
      const status = got.body.status;
      const shares = (status?.namespaces ?? []).map((n) => Number(n.status.used?.pods ?? 0));
      return status?.total?.used?.pods === "10" && status.total.hard?.pods === "10" &&
        (status.namespaces ?? []).map((n) => n.namespace).join() === [a, b].sort().join() && shares.reduce((x, y) => x + y, 0) === 10;
    });
    // Room freed in one namespace is room in the other.
    const admittedInA = results.findIndex((r, i) => r.status === 201 && i % 2 === 0);
    expect(admittedInA).toBeGreaterThanOrEqual(0);
    expect((await api("DELETE", `/api/v1/namespaces/${a}/pods/p${admittedInA}`)).status).toBe(200);
    expect((await createPod(b, pod("late"))).status).toBe(201);
    expect((await createPod(b, pod("later"))).status).toBe(403);
    const table = await api<{ rows: { cells: unknown[] }[] }>("GET", `${CRQS}/${name}`, undefined, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(table.body.rows[0]?.cells[2]).toMatch(/^pods: \d+\/10$/);
  });

  it("adds up with the namespace's own ResourceQuota: both must fit", async () => {
    const team = crypto.randomUUID().slice(0, 8);
    const a = await labelledNamespace("pa", { team });
    await api("POST", CRQS, {
      apiVersion: "quota.duraplane.io/v1", kind: "ClusterResourceQuota", metadata: { name: `mem-${team}` },
      spec: { selector: { labels: { matchLabels: { team } } }, quota: { hard: { "count/pods": "1" } } },
    });
    await api("POST", `/api/v1/namespaces/${a}/resourcequotas`, { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "local" }, spec: { hard: { pods: "5" } } });
    expect((await createPod(a, pod("one"))).status).toBe(201);
    const second = await createPod(a, pod("two"));
    expect(second.body.message).toContain(`exceeded quota: mem-${team}, requested: count/pods=1`);
    // The local quota's reservation was given back when the shared one refused.
    await eventually(async () => {
      const rq = await api<KubeObject>("GET", `/api/v1/namespaces/${a}/resourcequotas/local`);
      return (rq.body.status as { used?: Record<string, string> } | undefined)?.used?.pods === "1";
    });
  });
});
