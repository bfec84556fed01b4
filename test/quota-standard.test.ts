/**
 * ResourceQuota admission with the `standard` policy, inside workerd: limits,
 * upstream's messages, constraints, scopes, release on delete and on a
 * terminal phase, status kept by the controller, and controllers blocked.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { api, eventually, namespace, pod } from "./helpers";
import { createPod, createQuota, podWith, quota, usedOf } from "./quota-helpers";

const MERGE = { "content-type": "application/merge-patch+json" };

describe("ResourceQuota (standard)", () => {
  it("refuses what exceeds hard with upstream's message and publishes status.used", async () => {
    const ns = await namespace("q");
    await createQuota(ns, quota("q", { pods: "2", "requests.memory": "1Gi" }));
    expect((await createPod(ns, podWith("a", { memory: "512Mi" }))).status).toBe(201);
    expect((await createPod(ns, podWith("b", { memory: "512Mi" }))).status).toBe(201);
    const refused = await createPod(ns, podWith("c", { memory: "512Mi" }));
    expect(refused.status).toBe(403);
    expect(refused.body.reason).toBe("Forbidden");
    expect(refused.body.message).toBe(
      'pods "c" is forbidden: exceeded quota: q, requested: pods=1,requests.memory=512Mi, used: pods=2,requests.memory=1Gi, limited: pods=2,requests.memory=1Gi',
    );
    await eventually(async () => JSON.stringify(await usedOf(ns, "q")) === JSON.stringify({ pods: "2", "requests.memory": "1Gi" }));
    const table = await api<{ rows: { cells: unknown[] }[] }>("GET", `/api/v1/namespaces/${ns}/resourcequotas`, undefined, {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
    });
    expect(table.body.rows[0]?.cells.slice(2)).toEqual(["pods: 2/2, requests.memory: 1Gi/1Gi", ""]);
  });

  it("names only what exceeds: a memory-only overshoot", async () => {
    const ns = await namespace("q");
    await createQuota(ns, quota("team-a", { "requests.memory": "2Gi" }));
    expect((await createPod(ns, podWith("a", { memory: "1Gi" }))).status).toBe(201);
    const refused = await createPod(ns, podWith("b", { memory: "2Gi" }));
    expect(refused.body.message).toBe(
      'pods "b" is forbidden: exceeded quota: team-a, requested: requests.memory=2Gi, used: requests.memory=1Gi, limited: requests.memory=2Gi',
    );
  });

  it("requires requests or limits when cpu or memory is limited (failed quota)", async () => {
    const ns = await namespace("q");
    await createQuota(ns, quota("compute", { "limits.cpu": "2", "requests.memory": "1Gi" }));
    const body = pod("bare");
    (body.spec as { containers: unknown[] }).containers.push({ name: "side", image: "busybox", resources: { limits: { cpu: "100m" } } });
    const refused = await createPod(ns, body);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      'pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: web; requests.memory for: side,web',
    );
  });

  it("charges pods that existed before the quota and does not hold their updates to its constraints", async () => {
    const ns = await namespace("q");
    expect((await createPod(ns, pod("old"))).status).toBe(201);
    await createQuota(ns, quota("cpu", { "requests.cpu": "1", pods: "1" }));
    await eventually(async () => (await usedOf(ns, "cpu")).pods === "1");
    const patched = await api("PATCH", `/api/v1/namespaces/${ns}/pods/old`, { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } }, {
      "content-type": "application/strategic-merge-patch+json",
    });
    expect(patched.status).toBe(200);
    expect((await createPod(ns, podWith("new", { cpu: "100m" }))).body.message).toContain("exceeded quota: cpu, requested: pods=1, used: pods=1");
  });

  it("gives back a deleted pod's charge and a terminal pod's compute", async () => {
    const ns = await namespace("q");
    await createQuota(ns, quota("q", { pods: "1", "count/pods": "2" }));
    expect((await createPod(ns, pod("a"))).status).toBe(201);
    expect((await createPod(ns, pod("b"))).status).toBe(403);
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/a/status`, { status: { phase: "Succeeded" } }, MERGE);
    // `pods` counts live pods only; count/pods counts every stored one.
    expect((await createPod(ns, pod("b"))).status).toBe(201);
    const third = await createPod(ns, pod("c"));
    expect(third.body.message).toContain("exceeded quota: q, requested: count/pods=1,pods=1, used: count/pods=2,pods=1, limited: count/pods=2,pods=1");
    expect((await api("DELETE", `/api/v1/namespaces/${ns}/pods/a`)).status).toBe(200);
    expect((await createPod(ns, podWith("c", {}))).status).toBe(403); // b is live: pods=1 used
    await api("DELETE", `/api/v1/namespaces/${ns}/pods/b`);
    expect((await createPod(ns, pod("c"))).status).toBe(201);
  });

  it("tracks only the pods its scopes select", async () => {
    const ns = await namespace("q");
    await createQuota(ns, quota("be", { pods: "1" }, { scopes: ["BestEffort"] }));
    await createQuota(ns, quota("prio", { pods: "1" }, {
      scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["high"] }] },
    }));
    await createQuota(ns, quota("term", { pods: "1" }, { scopes: ["Terminating"] }));
    expect((await createPod(ns, pod("be1"))).status).toBe(201);
    expect((await createPod(ns, pod("be2"))).body.message).toContain("exceeded quota: be,");
    expect((await createPod(ns, podWith("burst1", { cpu: "100m" }))).status).toBe(201);
    expect((await createPod(ns, podWith("burst2", { cpu: "100m" }))).status).toBe(201);
    expect((await createPod(ns, podWith("hi1", { cpu: "100m" }, undefined, { priorityClassName: "high" }))).status).toBe(201);
    expect((await createPod(ns, podWith("hi2", { cpu: "100m" }, undefined, { priorityClassName: "high" }))).body.message)
      .toContain("exceeded quota: prio,");
    expect((await createPod(ns, podWith("job1", { cpu: "1" }, undefined, { activeDeadlineSeconds: 30 }))).status).toBe(201);
    expect((await createPod(ns, podWith("job2", { cpu: "1" }, undefined, { activeDeadlineSeconds: 30 }))).body.message)
      .toContain("exceeded quota: term,");
  });

  it("counts any served kind by count/<resource>.<group>", async () => {
    const ns = await namespace("q");
    await createQuota(ns, quota("objects", { "count/replicasets.apps": "1", resourcequotas: "2" }));
    const rs = (name: string) => ({
      apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name },
      spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "x" }] } } },
    });
    expect((await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("one"))).status).toBe(201);
    const refused = await api<{ message: string }>("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("two"));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      'replicasets.apps "two" is forbidden: exceeded quota: objects, requested: count/replicasets.apps=1, used: count/replicasets.apps=1, limited: count/replicasets.apps=1',
    );
    expect((await api("POST", `/api/v1/namespaces/${ns}/resourcequotas`, quota("second", { pods: "9" }))).status).toBe(201);
    expect((await api<{ message: string }>("POST", `/api/v1/namespaces/${ns}/resourcequotas`, quota("third", { pods: "9" }))).body.message)
      .toContain("exceeded quota: objects, requested: resourcequotas=1, used: resourcequotas=2, limited: resourcequotas=2");
  });

  it("admits exactly the room under 50 concurrent creates", async () => {
    const ns = await namespace("q");
    await createQuota(ns, quota("ten", { pods: "10" }));
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => createPod(ns, pod(`p${i}`))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 403)).toHaveLength(40);
    const list = await api<{ items: KubeObject[] }>("GET", `/api/v1/namespaces/${ns}/pods`);
    expect(list.body.items).toHaveLength(10);
    await eventually(async () => (await usedOf(ns, "ten")).pods === "10");
  });

  it("blocks a ReplicaSet's creates and reports FailedCreate with the quota's message", async () => {
    const ns = await namespace("q");
    await createQuota(ns, quota("q", { pods: "2" }));
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, {
      apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web" },
      spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "x" }] } } },
    });
    await eventually(async () => {
      const events = await api<{ items: { reason?: string; message?: string }[] }>("GET", `/api/v1/namespaces/${ns}/events`);
      return events.body.items.some((e) => e.reason === "FailedCreate" && (e.message ?? "").includes("exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2"));
    }, 20_000);
    const pods = await api<{ items: KubeObject[] }>("GET", `/api/v1/namespaces/${ns}/pods`);
    expect(pods.body.items).toHaveLength(2);
  });

  it("refuses an unknown policy and invalid specs with 422", async () => {
    const ns = await namespace("q");
    const bad = await api<{ message: string }>("POST", `/api/v1/namespaces/${ns}/resourcequotas`,
      quota("x", { pods: "1" }, { annotations: { "quota.duraplane.io/policy": "nope" } }));
    expect(bad.status).toBe(422);
    expect(bad.body.message).toContain('metadata.annotations[quota.duraplane.io/policy]: Unsupported value: "nope"');
    const conflicting = await api<{ message: string }>("POST", `/api/v1/namespaces/${ns}/resourcequotas`,
      quota("y", { pods: "1" }, { scopes: ["BestEffort", "NotBestEffort"] }));
    expect(conflicting.status).toBe(422);
    expect(conflicting.body.message).toContain("conflicting scopes");
    const nonStandard = await api<{ message: string }>("POST", `/api/v1/namespaces/${ns}/resourcequotas`, quota("z", { widgets: "1" }));
    expect(nonStandard.body.message).toContain("must be a standard resource for quota");
  });
});
