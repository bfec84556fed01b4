/**
 * Strategic merge patch through the API for every built-in kind (what
 * `kubectl taint|cordon|label|annotate|edit` send), and 415 for the KubeVirt
 * kinds, which upstream serves as custom resources.
 */
import { describe, expect, it } from "vitest";
import { api, namespace, type StatusBody } from "./helpers";

const SMP = { "content-type": "application/strategic-merge-patch+json" };

interface Obj {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { unschedulable?: boolean; taints?: { key: string; value?: string; effect: string }[] };
}

describe("strategic merge patch on every built-in kind", () => {
  it("kubectl taint and cordon on a Node: taints replaced whole, unschedulable set and cleared", async () => {
    const node = `smp-${crypto.randomUUID().slice(0, 8)}`;
    expect((await api("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: node } })).status).toBe(201);
    const path = `/api/v1/nodes/${node}`;
    const t1 = { key: "k", value: "v", effect: "NoSchedule" };
    const t2 = { key: "k", value: "w", effect: "NoExecute" };
    expect((await api<Obj>("PATCH", path, { spec: { taints: [t1] } }, SMP)).body.spec?.taints).toEqual([t1]);
    const both = await api<Obj>("PATCH", path, { spec: { taints: [t1, t2] } }, SMP);
    expect(both.status).toBe(200);
    expect(both.body.spec?.taints).toEqual([t1, t2]);
    expect((await api<Obj>("PATCH", path, { spec: { taints: [t2] } }, SMP)).body.spec?.taints).toEqual([t2]);
    expect((await api<Obj>("PATCH", path, { spec: { taints: null } }, SMP)).body.spec?.taints).toBeUndefined();
    const dup = await api<StatusBody>("PATCH", path, { spec: { taints: [t1, t1] } }, SMP);
    expect(dup.status).toBe(422);

    expect((await api<Obj>("PATCH", path, { spec: { unschedulable: true } }, SMP)).body.spec?.unschedulable).toBe(true);
    expect((await api<Obj>("PATCH", path, { spec: { unschedulable: null } }, SMP)).body.spec?.unschedulable).toBeUndefined();
    expect((await api("DELETE", path)).status).toBe(200);
  });

  it("kubectl label / annotate reach Namespace, ServiceAccount, ResourceQuota, Event and the RBAC kinds", async () => {
    const ns = await namespace("smp");
    const objects: [string, object][] = [
      [`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sa" } }],
      [`/api/v1/namespaces/${ns}/resourcequotas`, { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q" }, spec: { hard: { pods: "10" } } }],
      [`/api/v1/namespaces/${ns}/events`, {
        apiVersion: "v1", kind: "Event", metadata: { name: "ev" }, involvedObject: { kind: "Pod", name: "p", namespace: ns },
        reason: "Test", message: "m", type: "Normal",
      }],
      [`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "r" }, rules: [] }],
    ];
    const paths = [`/api/v1/namespaces/${ns}`];
    for (const [collection, body] of objects) {
      const created = await api<Obj & { metadata: { name: string } }>("POST", collection, body);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      paths.push(`${collection}/${created.body.metadata.name}`);
    }
    for (const path of paths) {
      const labelled = await api<Obj>("PATCH", path, { metadata: { labels: { tier: "db" }, annotations: { note: "x" } } }, SMP);
      expect(labelled.status, `${path}: ${JSON.stringify(labelled.body)}`).toBe(200);
      expect(labelled.body.metadata.labels).toMatchObject({ tier: "db" });
      // `kubectl label tier-` sends null.
      const unlabelled = await api<Obj>("PATCH", path, { metadata: { labels: { tier: null } } }, SMP);
      expect(unlabelled.body.metadata.labels?.tier, path).toBeUndefined();
      expect(unlabelled.body.metadata.annotations).toMatchObject({ note: "x" });
    }
  });

  it("answers 415 for the KubeVirt kinds, naming the accepted types, as upstream does for custom resources", async () => {
    const ns = await namespace("smp");
    const vmi = {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: "v" },
      spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } },
    };
    expect((await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, vmi)).status).toBe(201);
    const res = await api<StatusBody>("PATCH", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/v`, { metadata: { labels: { a: "b" } } }, SMP);
    expect(res.status).toBe(415);
    expect(res.body.reason).toBe("UnsupportedMediaType");
    expect(res.body.message).toContain("application/merge-patch+json");
  });
});
