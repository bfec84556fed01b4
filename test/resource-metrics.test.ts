/**
 * metrics.k8s.io/v1beta1 (kubectl top): discovery, NodeMetrics and
 * PodMetrics in metrics-server's shape from usage sent with signed host
 * reports, selectors, NotFound, RBAC, and samples dropped once stale or once
 * their object is gone.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { UsageReport } from "../shared/hosts/report";
import type { KubeObject } from "../shared/k8s/object";
import { createToken } from "../workers/api/auth";
import { MAX_NODES, usageStore } from "../workers/resource-metrics/usage-store";
import { api, eventually, namespace, pod, readResponse, send } from "./helpers";
import { joinNode, nextSequence, postReport } from "./hosts-helpers";

const M = "/apis/metrics.k8s.io/v1beta1";
const unique = (p: string): string => `${p}-${crypto.randomUUID().slice(0, 8)}`;
const NOW = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

async function as<T = Record<string, unknown>>(token: string, path: string) {
  return readResponse<T & { message?: string }>(await send(new Request(`https://duraplane.test${path}`, { headers: { authorization: `Bearer ${token}` } })));
}

async function user(name: string): Promise<string> {
  const token = `${name}-${crypto.randomUUID()}`;
  await createToken(env, token, { username: name, groups: [] });
  return token;
}

async function boundPod(ns: string, node: string, name: string, labels: Record<string, string> = {}): Promise<KubeObject> {
  const res = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod(name, {
    spec: { nodeName: node, containers: [{ name: "app", image: "busybox" }, { name: "side", image: "busybox" }] },
  }, labels));
  expect(res.status).toBe(201);
  return res.body;
}

/** The host reports the pods Running (metrics-server serves running pods only). */
function running(...pods: KubeObject[]) {
  return pods.map((p) => ({
    kind: "Pod" as const, namespace: p.metadata.namespace ?? "", name: p.metadata.name ?? "", uid: p.metadata.uid ?? "",
    sequence: nextSequence(), status: { phase: "Running" as const },
  }));
}

function podUsage(p: KubeObject, cpu: number, windowSeconds = 10): UsageReport["pods"] extends (infer T)[] | undefined ? T : never {
  return {
    namespace: p.metadata.namespace ?? "", name: p.metadata.name ?? "", uid: p.metadata.uid ?? "", timestamp: NOW(), windowSeconds,
    containers: [{ name: "app", cpuNanoCores: cpu, memoryBytes: 10 * 1024 * 1024 }, { name: "side", cpuNanoCores: 1000, memoryBytes: 2048 }],
  };
}

interface Metrics {
  kind?: string;
  apiVersion?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; creationTimestamp: string };
  timestamp: string;
  window: string;
  usage?: { cpu: string; memory: string };
  containers?: { name: string; usage: { cpu: string; memory: string } }[];
}

describe("metrics.k8s.io", () => {
  it("is discovered with nodes and pods (get, list), legacy and aggregated", async () => {
    const groups = await api<{ groups: { name: string; preferredVersion: { groupVersion: string } }[] }>("GET", "/apis");
    expect(groups.body.groups.find((g) => g.name === "metrics.k8s.io")?.preferredVersion.groupVersion).toBe("metrics.k8s.io/v1beta1");
    const list = await api<{ resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[] }>("GET", M);
    expect(list.status).toBe(200);
    expect(list.body.resources).toEqual(expect.arrayContaining([
      { name: "nodes", singularName: "", namespaced: false, kind: "NodeMetrics", verbs: ["get", "list"] },
      { name: "pods", singularName: "", namespaced: true, kind: "PodMetrics", verbs: ["get", "list"] },
    ]));
    const aggregated = await api<{ items: { metadata: { name: string }; versions: { version: string; resources: { resource: string; scope: string; verbs: string[] }[] }[] }[] }>(
      "GET", "/apis", undefined, { accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" },
    );
    const group = aggregated.body.items.find((i) => i.metadata.name === "metrics.k8s.io");
    expect(group?.versions[0]?.version).toBe("v1beta1");
    expect(group?.versions[0]?.resources.map((r) => [r.resource, r.scope])).toEqual(expect.arrayContaining([["nodes", "Cluster"], ["pods", "Namespaced"]]));
    // Read-only: no writes, no watch.
    expect((await api("POST", `${M}/nodes`, {})).status).toBe(405);
    expect((await api("GET", `${M}/pods?watch=true`)).status).toBe(405);
  });

  it("serves NodeMetrics and PodMetrics from a report's usage, in metrics-server's shape, with selectors and NotFound", async () => {
    const node = unique("top-node");
    const creds = await joinNode(node);
    const ns = await namespace("top");
    const web = await boundPod(ns, node, "web", { app: "web" });
    const db = await boundPod(ns, node, "db", { app: "db" });
    const res = await postReport(node, creds.signingSecret, {
      node: { conditions: [{ type: "Ready", status: "True" }] },
      items: running(web, db),
      usage: {
        node: { timestamp: NOW(), windowSeconds: 10.5, cpuNanoCores: 123456789, memoryBytes: 2048 * 1024 * 1024 },
        pods: [podUsage(web, 5_000_000), podUsage(db, 7_000_000)],
      },
    });
    expect(res.status).toBe(200);

    const one = await api<Metrics>("GET", `${M}/nodes/${node}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      kind: "NodeMetrics", apiVersion: "metrics.k8s.io/v1beta1",
      metadata: { name: node, creationTimestamp: expect.stringMatching(/Z$/), labels: expect.any(Object) },
      timestamp: expect.stringMatching(/Z$/), window: "10.5s", usage: { cpu: "123456789n", memory: "2097152Ki" },
    });
    const nodes = await api<{ kind: string; items: Metrics[] }>("GET", `${M}/nodes`);
    expect(nodes.body.kind).toBe("NodeMetricsList");
    expect(nodes.body.items.map((i) => i.metadata.name)).toContain(node);

    const pods = await api<{ kind: string; items: Metrics[] }>("GET", `${M}/namespaces/${ns}/pods`);
    expect(pods.body.kind).toBe("PodMetricsList");
    expect(pods.body.items.map((i) => i.metadata.name).sort()).toEqual(["db", "web"]);
    const webMetrics = pods.body.items.find((i) => i.metadata.name === "web");
    expect(webMetrics).toEqual({
      metadata: { name: "web", namespace: ns, creationTimestamp: expect.any(String), labels: { app: "web" } },
      timestamp: expect.any(String), window: "10s",
      containers: [{ name: "app", usage: { cpu: "5000000n", memory: "10240Ki" } }, { name: "side", usage: { cpu: "1000n", memory: "2Ki" } }],
    });
    const selected = await api<{ items: Metrics[] }>("GET", `${M}/namespaces/${ns}/pods?labelSelector=app%3Ddb`);
    expect(selected.body.items.map((i) => i.metadata.name)).toEqual(["db"]);
    const all = await api<{ items: Metrics[] }>("GET", `${M}/pods?labelSelector=app%3Dweb`);
    expect(all.body.items.filter((i) => i.metadata.namespace === ns).map((i) => i.metadata.name)).toEqual(["web"]);
    const single = await api<Metrics>("GET", `${M}/namespaces/${ns}/pods/db`);
    expect(single.body.kind).toBe("PodMetrics");
    expect(single.body.containers?.[0]?.usage.cpu).toBe("7000000n");

    const bad = await api("GET", `${M}/namespaces/${ns}/pods?labelSelector=%3D%3D%3D`);
    expect(bad.status).toBe(400);
    const unknownPod = await api<{ reason: string; message: string }>("GET", `${M}/namespaces/${ns}/pods/nope`);
    expect(unknownPod.status).toBe(404);
    expect(unknownPod.body.message).toBe('pods "nope" not found');
    const unknownNode = await api<{ message: string }>("GET", `${M}/nodes/${unique("nope")}`);
    expect(unknownNode.status).toBe(404);
    // A pod that exists but has no sample: the metrics' NotFound, with the namespaced name.
    await boundPod(ns, node, "quiet");
    const quiet = await api<{ reason: string; message: string }>("GET", `${M}/namespaces/${ns}/pods/quiet`);
    expect(quiet.status).toBe(404);
    expect(quiet.body.message).toBe(`podmetrics.metrics.k8s.io "${ns}/quiet" not found`);

    // A pod that no longer exists is not listed (nor one recreated under the same name: another uid).
    expect((await api("DELETE", `/api/v1/namespaces/${ns}/pods/db?gracePeriodSeconds=0`)).status).toBeLessThan(300);
    await eventually(async () => (await api("GET", `/api/v1/namespaces/${ns}/pods/db`)).status === 404);
    const after = await api<{ items: Metrics[] }>("GET", `${M}/namespaces/${ns}/pods`);
    expect(after.body.items.map((i) => i.metadata.name)).toEqual(["web"]);
    expect((await api("GET", `${M}/namespaces/${ns}/pods/db`)).status).toBe(404);

    // Another host speaks only for its own workloads: its sample of web is not served, nor does it push out web's own.
    const liar = unique("liar-node");
    const liarCreds = await joinNode(liar);
    expect((await postReport(liar, liarCreds.signingSecret, { items: [], usage: { pods: [podUsage(web, 999_000_000)] } })).status).toBe(200);
    const afterLie = await api<{ items: Metrics[] }>("GET", `${M}/namespaces/${ns}/pods`);
    expect(afterLie.body.items.map((i) => i.containers?.[0]?.usage.cpu)).toEqual(["5000000n"]);
    expect((await api<Metrics>("GET", `${M}/namespaces/${ns}/pods/web`)).body.containers?.[0]?.usage.cpu).toBe("5000000n");

    // A pod that finished is not served, even with a fresh sample.
    const done = await boundPod(ns, node, "done");
    const [doneItem] = running(done);
    if (!doneItem) throw new Error("no item");
    expect((await postReport(node, creds.signingSecret, {
      items: [{ ...doneItem, status: { phase: "Succeeded" } }], usage: { pods: [podUsage(web, 1), podUsage(done, 1)] },
    })).status).toBe(200);
    expect((await api<{ items: Metrics[] }>("GET", `${M}/namespaces/${ns}/pods`)).body.items.map((i) => i.metadata.name)).toEqual(["web"]);
  });

  it("drops samples from a node whose last report is older than three windows", async () => {
    const node = unique("stale-node");
    const creds = await joinNode(node);
    const ns = await namespace("stale");
    const p = await boundPod(ns, node, "old");
    expect((await postReport(node, creds.signingSecret, { items: running(p) })).status).toBe(200);
    const usage = { node: { timestamp: NOW(), windowSeconds: 10, cpuNanoCores: 1, memoryBytes: 1024 }, pods: [podUsage(p, 1)], vmis: [] };
    const stub = usageStore(env);
    await runInDurableObject(stub, (store) => store.record(node, usage, Date.now() - 29_000));
    expect((await api("GET", `${M}/nodes/${node}`)).status).toBe(200);
    expect((await api("GET", `${M}/namespaces/${ns}/pods/old`)).status).toBe(200);
    await runInDurableObject(stub, (store) => store.record(node, usage, Date.now() - 31_000));
    expect((await api("GET", `${M}/nodes/${node}`)).status).toBe(404);
    expect((await api<{ items: Metrics[] }>("GET", `${M}/namespaces/${ns}/pods`)).body.items).toEqual([]);
    expect((await api<{ items: Metrics[] }>("GET", `${M}/nodes`)).body.items.map((i) => i.metadata.name)).not.toContain(node);
  });

  it("serves VMI usage as VirtualMachineInstanceMetrics", async () => {
    const node = unique("vmi-node");
    const creds = await joinNode(node);
    const ns = await namespace("topvm");
    const created = await api<KubeObject>("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: "vm1" },
      spec: { nodeSelector: { "test.duraplane.io/never": "true" }, domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } },
    });
    expect(created.status).toBe(201);
    const bound = await api("PATCH", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/vm1/status`, { status: { phase: "Scheduled", nodeName: node } }, { "content-type": "application/merge-patch+json" });
    expect(bound.status).toBe(200);
    const usage: UsageReport = {
      vmis: [{ namespace: ns, name: "vm1", uid: created.body.metadata.uid ?? "", timestamp: NOW(), windowSeconds: 10, cpuNanoCores: 250_000_000, memoryBytes: 64 * 1024 * 1024 }],
    };
    expect((await postReport(node, creds.signingSecret, { items: [], usage })).status).toBe(200);
    const got = await api<Metrics>("GET", `${M}/namespaces/${ns}/virtualmachineinstances/vm1`);
    expect(got.status).toBe(200);
    expect(got.body.kind).toBe("VirtualMachineInstanceMetrics");
    expect(got.body.usage).toEqual({ cpu: "250000000n", memory: "65536Ki" });
    const list = await api<{ items: Metrics[] }>("GET", `${M}/virtualmachineinstances`);
    expect(list.body.items.filter((i) => i.metadata.namespace === ns).map((i) => i.metadata.name)).toEqual(["vm1"]);
    // Pods' metrics never carry VMIs.
    expect((await api<{ items: Metrics[] }>("GET", `${M}/namespaces/${ns}/pods`)).body.items).toEqual([]);
  });

  it("is authorized by RBAC: nothing without a grant; view in a namespace reads that namespace's pod metrics", async () => {
    const node = unique("rbac-node");
    const creds = await joinNode(node);
    const ns = await namespace("toprbac");
    const other = await namespace("toprbac-other");
    const p = await boundPod(ns, node, "web");
    expect((await postReport(node, creds.signingSecret, { items: running(p), usage: { pods: [podUsage(p, 9)] } })).status).toBe(200);
    const bobName = unique("bob");
    const bob = await user(bobName);
    const denied = await as(bob, `${M}/namespaces/${ns}/pods`);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(`pods.metrics.k8s.io is forbidden: User "${bobName}" cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "${ns}"`);
    expect((await as(bob, `${M}/nodes`)).status).toBe(403);

    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "bob-view" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: bobName }],
    };
    expect((await api("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, binding)).status).toBe(201);
    // view gets metrics-server's system:aggregated-metrics-reader by aggregation (a controller on the queue).
    await eventually(async () => (await as(bob, `${M}/namespaces/${ns}/pods`)).status === 200, 20_000);
    const mine = await as<{ items: Metrics[] }>(bob, `${M}/namespaces/${ns}/pods`);
    expect(mine.body.items.map((i) => i.metadata.name)).toEqual(["web"]);
    expect((await as(bob, `${M}/namespaces/${other}/pods`)).status).toBe(403);
    expect((await as(bob, `${M}/nodes`)).status).toBe(403);
  });

  // Last: the hosts it makes are the newest heard from, so they would push out those of any later test.
  it("keeps at most MAX_NODES hosts, forgetting the one heard from longest ago", async () => {
    const prefix = unique("many");
    const sample = { timestamp: NOW(), windowSeconds: 3600, cpuNanoCores: 1, memoryBytes: 1024 };
    // Heard from after every host the other tests made: those go first, then the first of these.
    const start = Date.now() + 60_000;
    const counts = await runInDurableObject(usageStore(env), (store) => {
      for (let i = 0; i <= MAX_NODES; i++) store.record(`${prefix}-${i}`, { node: sample, pods: [], vmis: [] }, start + i);
      const names = Object.keys(store.nodeUsage());
      return { first: names.includes(`${prefix}-0`), second: names.includes(`${prefix}-1`), last: names.includes(`${prefix}-${MAX_NODES}`), total: names.length };
    });
    expect(counts).toEqual({ first: false, second: true, last: true, total: MAX_NODES });
  });
});
