/**
 * Writes through the real Worker: create (generateName, namespaces),
 * update, every patch type, /status, /scale, delete with grace periods,
 * finalizers and propagation policies, deletecollection, dry runs.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { objectStub } from "../workers/objects/client";
import { api, eventually, namespace, pod, type StatusBody } from "./helpers";

type Pod = KubeObject & { spec: { containers: { name: string; image: string; env?: { name: string; value: string }[] }[]; nodeName?: string }; status?: { phase?: string } };
const MERGE = { "content-type": "application/merge-patch+json" };
const JSONPATCH = { "content-type": "application/json-patch+json" };
const SMP = { "content-type": "application/strategic-merge-patch+json" };
const APPLY = { "content-type": "application/apply-patch+yaml" };

const rs = (name: string, replicas = 2) => ({
  apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
});
const vm = (name: string) => ({
  apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name },
  spec: { runStrategy: "Halted", template: { spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } } } },
});

describe("create", () => {
  it("sets server-owned metadata and defaults", async () => {
    const ns = await namespace();
    const res = await api<Pod>("POST", `/api/v1/namespaces/${ns}/pods`, { ...pod("web"), status: { phase: "Running" } });
    expect(res.status).toBe(201);
    const m = res.body.metadata;
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(m.generation).toBe(1);
    expect(m.namespace).toBe(ns);
    expect(res.body.status?.phase).toBe("Pending");
    expect((res.body.spec as { restartPolicy?: string }).restartPolicy).toBe("Always");
  });

  it("generates names from generateName", async () => {
    const ns = await namespace();
    const made = await Promise.all(Array.from({ length: 5 }, () =>
      api<Pod>("POST", `/api/v1/namespaces/${ns}/pods`, { ...pod(""), metadata: { generateName: "web-" } })));
    const names = made.map((r) => r.body.metadata.name ?? "");
    for (const n of names) expect(n).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(new Set(names).size).toBe(5);
  });

  it("refuses creates into a missing namespace (404) and a terminating one (403)", async () => {
    const missing = await api<StatusBody>("POST", "/api/v1/namespaces/nope-nope/pods", pod("web"));
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('namespaces "nope-nope" not found');
    const ns = await namespace();
    // A create first, so the namespace is in the admission cache when its deletion starts.
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("early"))).status).toBe(201);
    await api("PATCH", `/api/v1/namespaces/${ns}`, { metadata: { finalizers: ["example.com/hold"] } }, MERGE);
    expect((await api("DELETE", `/api/v1/namespaces/${ns}`)).status).toBe(200);
    const terminating = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
    expect(terminating.status).toBe(403);
    expect(terminating.body.message).toContain("because it is being terminated");
  });

  it("validates with one cause per field path (422)", async () => {
    const ns = await namespace();
    const res = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: "v1", kind: "Pod", metadata: { name: "Bad_Name", labels: { "bad key!": "v" } },
      spec: { containers: [{ name: "c" }, { name: "c", image: "x" }] },
    });
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe("Invalid");
    const fields = (res.body.details?.causes ?? []).map((c) => `${c.field}:${c.reason}`);
    expect(fields).toEqual(expect.arrayContaining([
      "metadata.name:FieldValueInvalid",
      "metadata.labels:FieldValueInvalid",
      "spec.containers[0].image:FieldValueRequired",
      "spec.containers[1].name:FieldValueDuplicate",
    ]));
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/Bad_Name`)).status).toBe(404);
  });

  it("checks the ReplicaSet and VMIRS selector against the template and replicas >= 0", async () => {
    const ns = await namespace();
    const bad = rs("x", -1);
    bad.spec.template.metadata.labels = { app: "other" };
    const res = await api<StatusBody>("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, bad);
    expect(res.status).toBe(422);
    const fields = (res.body.details?.causes ?? []).map((c) => c.field);
    expect(fields).toEqual(expect.arrayContaining(["spec.replicas", "spec.template.metadata.labels"]));
    const vmirs = await api<StatusBody>("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancereplicasets`, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceReplicaSet", metadata: { name: "v" },
      spec: { replicas: 1, selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "c" } }, spec: { domain: { devices: {} } } } },
    });
    expect(vmirs.status).toBe(422);
  });

  it("rejects unknown fields only with fieldValidation=Strict (400)", async () => {
    const ns = await namespace();
    const body = { ...pod("strict"), spec: { bogus: true, containers: [{ name: "c", image: "x" }] } };
    const strict = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods?fieldValidation=Strict`, body);
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.bogus"');
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/strict`)).status).toBe(404);
    const lax = await api<Pod>("POST", `/api/v1/namespaces/${ns}/pods`, body);
    expect(lax.status).toBe(201);
    expect(lax.body.spec).not.toHaveProperty("bogus");
  });

  it("answers malformed bodies, wrong kinds, huge bodies and unknown media types with a Status", async () => {
    const ns = await namespace();
    const path = `/api/v1/namespaces/${ns}/pods`;
    const cases: [string, string, Record<string, string>, number][] = [
      ["{not json", "", {}, 400],
      ["a: [unclosed", "", { "content-type": "application/yaml" }, 400],
      [JSON.stringify(rs("wrong")), "", {}, 400],
      [JSON.stringify({ metadata: { name: "x" } }), "", {}, 400],
      ["[1,2]", "", {}, 400],
      [JSON.stringify(pod("x")), "", { "content-type": "application/vnd.kubernetes.protobuf" }, 400],
      [JSON.stringify(pod("x")), "", { "content-type": "application/xml" }, 415],
      [`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"big","annotations":{"a":"${"x".repeat(3 * 1024 * 1024)}"}}}`, "", {}, 413],
    ];
    for (const [body, , headers, code] of cases) {
      const res = await api<StatusBody>("POST", path, body, { "content-type": "application/json", ...headers });
      expect(res.status, body.slice(0, 40)).toBe(code);
      expect(res.body.kind).toBe("Status");
      expect(res.body.message.length).toBeGreaterThan(10);
    }
    expect((await api<{ items: unknown[] }>("GET", path)).body.items).toHaveLength(0);
  });

  it("accepts YAML bodies and does nothing on dryRun=All", async () => {
    const ns = await namespace();
    const yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: y\nspec:\n  containers:\n  - name: c\n    image: busybox\n";
    const dry = await api<Pod>("POST", `/api/v1/namespaces/${ns}/pods?dryRun=All`, yaml, { "content-type": "application/yaml" });
    expect(dry.status).toBe(201);
    expect(dry.body.metadata.name).toBe("y");
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/y`)).status).toBe(404);
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, yaml, { "content-type": "application/yaml" })).status).toBe(201);
  });
});

describe("update and patch", () => {
  it("refuses PUT bodies whose name or namespace differ from the URL", async () => {
    const ns = await namespace();
    const created = await api<Pod>("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
    const renamed = { ...created.body, metadata: { ...created.body.metadata, name: "other" } };
    expect((await api<StatusBody>("PUT", `/api/v1/namespaces/${ns}/pods/web`, renamed)).status).toBe(400);
    const moved = { ...created.body, metadata: { ...created.body.metadata, namespace: "default" } };
    expect((await api<StatusBody>("PUT", `/api/v1/namespaces/${ns}/pods/web`, moved)).status).toBe(400);
    expect((await api<StatusBody>("PUT", `/api/v1/namespaces/${ns}/pods/missing`, { ...pod("missing") })).status).toBe(404);
  });

  const patchCases: { name: string; headers: Record<string, string>; patch: unknown; check: (p: Pod) => void }[] = [
    { name: "merge", headers: MERGE, patch: { metadata: { labels: { a: "1" } }, spec: { containers: [{ name: "web", image: "nginx:2" }] } },
      check: (p) => { expect(p.metadata.labels).toEqual({ a: "1" }); expect(p.spec.containers[0]?.image).toBe("nginx:2"); } },
    { name: "json", headers: JSONPATCH, patch: [{ op: "test", path: "/spec/containers/0/name", value: "web" }, { op: "replace", path: "/spec/containers/0/image", value: "nginx:3" }],
      check: (p) => expect(p.spec.containers[0]?.image).toBe("nginx:3") },
    { name: "strategic", headers: SMP,
      patch: { metadata: { labels: { s: "1" } }, spec: { "$setElementOrder/containers": [{ name: "web" }], containers: [{ name: "web", image: "nginx:4" }] } },
      check: (p) => { expect(p.metadata.labels).toEqual({ s: "1" }); expect(p.spec.containers).toEqual([expect.objectContaining({ name: "web", image: "nginx:4" })]); } },
  ];
  for (const c of patchCases) {
    it(`applies a ${c.name} patch to a pod`, async () => {
      const ns = await namespace();
      await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
      const res = await api<Pod>("PATCH", `/api/v1/namespaces/${ns}/pods/web`, c.patch, c.headers);
      expect(res.status).toBe(200);
      c.check(res.body);
      c.check((await api<Pod>("GET", `/api/v1/namespaces/${ns}/pods/web`)).body);
    });
  }

  it("merges a strategic patch into a ReplicaSet template by container name", async () => {
    const ns = await namespace();
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("web"));
    const res = await api<KubeObject & { spec: { template: { spec: { containers: { name: string; image: string; env?: unknown[] }[] } } } }>(
      "PATCH", `/apis/apps/v1/namespaces/${ns}/replicasets/web`,
      { spec: { template: { spec: { containers: [{ name: "c", env: [{ name: "A", value: "1" }] }, { name: "side", image: "envoy" }] } } } }, SMP);
    expect(res.status).toBe(200);
    expect(res.body.spec.template.spec.containers.map((c) => `${c.name}:${c.image}:${JSON.stringify(c.env ?? [])}`)).toEqual(
      ['c:busybox:[{"name":"A","value":"1"}]', "side:envoy:[]"]);
    const spec = await api<StatusBody>("PATCH", `/api/v1/namespaces/${ns}/pods/none`, {}, SMP);
    expect(spec.status).toBe(404);
  });

  it("answers patch errors: failed test (422), unknown media type (415), SMP on kubevirt types (415), bad JSON (400)", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, vm("vm1"));
    const test = await api<StatusBody>("PATCH", `/api/v1/namespaces/${ns}/pods/web`, [{ op: "test", path: "/metadata/name", value: "x" }], JSONPATCH);
    expect(test.status).toBe(422);
    expect((await api("PATCH", `/api/v1/namespaces/${ns}/pods/web`, "{}", { "content-type": "text/plain" })).status).toBe(415);
    const smp = await api<StatusBody>("PATCH", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/vm1`, { metadata: { labels: { a: "b" } } }, SMP);
    expect(smp.status).toBe(415);
    expect(smp.body.reason).toBe("UnsupportedMediaType");
    expect((await api("PATCH", `/api/v1/namespaces/${ns}/pods/web`, "{oops", MERGE)).status).toBe(400);
    expect((await api("PATCH", `/api/v1/namespaces/${ns}/pods/missing`, {}, MERGE)).status).toBe(404);
    const stale = await api<StatusBody>("PATCH", `/api/v1/namespaces/${ns}/pods/web`, { metadata: { resourceVersion: "1", labels: { x: "y" } } }, MERGE);
    expect(stale.status).toBe(409);
  });

  it("server-side apply creates missing objects and merges on later applies", async () => {
    const ns = await namespace();
    const path = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/vm1?fieldManager=kubectl&fieldValidation=Strict&force=false`;
    const first = await api<KubeObject>("PATCH", path, JSON.stringify(vm("vm1")), APPLY);
    expect(first.status).toBe(201);
    // The same manager applies again: a full manifest (what it omits would be removed), as YAML.
    const template = "  template:\n    spec:\n      domain:\n        devices: {}\n        resources:\n          requests:\n            memory: 64Mi\n";
    const second = await api<KubeObject & { spec: { runStrategy: string } }>("PATCH", path,
      `apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: vm1\n  labels:\n    env: prod\nspec:\n  runStrategy: Manual\n${template}`, APPLY);
    expect(second.status).toBe(200);
    expect(second.body.spec.runStrategy).toBe("Manual");
    expect(second.body.metadata.labels).toEqual({ env: "prod" });
    expect((await api("PATCH", path.replace("fieldManager=kubectl&", ""), JSON.stringify(vm("vm1")), APPLY)).status).toBe(400);
  });

  it("serves /status and /scale for ReplicaSet and VMIRS", async () => {
    const ns = await namespace();
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("web", 2));
    const base = `/apis/apps/v1/namespaces/${ns}/replicasets/web`;
    const scale = await api<{ kind: string; spec: { replicas: number }; status: { replicas: number; selector: string }; metadata: { resourceVersion: string } }>("GET", `${base}/scale`);
    expect(scale.body).toMatchObject({ kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: 2 }, status: { replicas: 0, selector: "app=web" } });
    const patched = await api<{ spec: { replicas: number } }>("PATCH", `${base}/scale`, { spec: { replicas: 5 } }, MERGE);
    expect(patched.body.spec.replicas).toBe(5);
    const put = await api<StatusBody>("PUT", `${base}/scale`, { ...scale.body, spec: { replicas: 3 } });
    expect(put.status).toBe(409);
    const neg = await api<StatusBody>("PATCH", `${base}/scale`, { spec: { replicas: -1 } }, MERGE);
    expect(neg.status).toBe(422);
    const got = await api<KubeObject & { spec: { replicas: number } }>("GET", base);
    expect(got.body.spec.replicas).toBe(5);
    expect(got.body.metadata.generation).toBe(2);
    const st = await api<KubeObject & { status: { replicas: number } }>("PATCH", `${base}/status`, { status: { replicas: 4 } }, MERGE);
    expect(st.body.status.replicas).toBe(4);
    expect((await api<{ status: { replicas: number } }>("GET", `${base}/scale`)).body.status.replicas).toBe(4);

    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancereplicasets`, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceReplicaSet", metadata: { name: "v" },
      spec: { replicas: 1, selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } } } },
    });
    const vscale = await api<{ spec: { replicas: number } }>("PATCH", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancereplicasets/v/scale`, { spec: { replicas: 3 } }, MERGE);
    expect(vscale.body.spec.replicas).toBe(3);
    expect((await api("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/x/scale`)).status).toBe(404);
  });
});

describe("delete", () => {
  it("deletes bound pods gracefully and removes them when the grace period ends", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, { ...pod("bound"), spec: { nodeName: "host-1", containers: [{ name: "c", image: "x" }] } });
    const del = await api<Pod>("DELETE", `/api/v1/namespaces/${ns}/pods/bound`);
    expect(del.status).toBe(200);
    expect(del.body.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(del.body.metadata.deletionTimestamp).toBeDefined();
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/bound`)).status).toBe(200);
    const shorter = await api<Pod>("DELETE", `/api/v1/namespaces/${ns}/pods/bound`, { gracePeriodSeconds: 0 });
    expect(shorter.status).toBe(200);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/bound`)).status).toBe(404);

    await api("POST", `/api/v1/namespaces/${ns}/pods`, { ...pod("timed"), spec: { nodeName: "host-1", terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: "x" }] } });
    await api("DELETE", `/api/v1/namespaces/${ns}/pods/timed`);
    await new Promise((r) => setTimeout(r, 1100));
    await runDurableObjectAlarm(objectStub(env, { resource: "/pods", namespace: ns, name: "timed" }));
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/timed`)).status).toBe(404);
  });

  it("keeps objects with finalizers until an update empties them", async () => {
    const ns = await namespace();
    const p = pod("held");
    p.metadata.finalizers = ["example.com/a"];
    await api("POST", `/api/v1/namespaces/${ns}/pods`, p);
    await api("DELETE", `/api/v1/namespaces/${ns}/pods/held`);
    const held = await api<Pod>("GET", `/api/v1/namespaces/${ns}/pods/held`);
    expect(held.body.metadata.deletionTimestamp).toBeDefined();
    const add = await api<StatusBody>("PATCH", `/api/v1/namespaces/${ns}/pods/held`, { metadata: { finalizers: ["example.com/a", "example.com/b"] } }, MERGE);
    expect(add.status).toBe(422);
    const release = await api("PATCH", `/api/v1/namespaces/${ns}/pods/held`, { metadata: { finalizers: null } }, MERGE);
    expect(release.status).toBe(200);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/held`)).status).toBe(404);
  });

  it("records Orphan and Foreground propagation as finalizers and rejects unknown policies", async () => {
    const ns = await namespace();
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("o"));
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("f"));
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("b"));
    const orphan = await api<KubeObject>("DELETE", `/apis/apps/v1/namespaces/${ns}/replicasets/o`, { propagationPolicy: "Orphan" });
    expect(orphan.body.metadata.finalizers).toEqual(["orphan"]);
    const fg = await api<KubeObject>("DELETE", `/apis/apps/v1/namespaces/${ns}/replicasets/f?propagationPolicy=Foreground`);
    expect(fg.body.metadata.finalizers).toEqual(["foregroundDeletion"]);
    const bad = await api<StatusBody>("DELETE", `/apis/apps/v1/namespaces/${ns}/replicasets/b`, { propagationPolicy: "Sideways" });
    expect(bad.status).toBe(422);
    expect((await api("DELETE", `/apis/apps/v1/namespaces/${ns}/replicasets/b`, { propagationPolicy: "Background" })).status).toBe(200);
    expect((await api("GET", `/apis/apps/v1/namespaces/${ns}/replicasets/b`)).status).toBe(404);
  });

  it("deletes a namespace's content, then the namespace (namespace controller)", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("a"));
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("r"));
    const held = pod("held");
    held.metadata.finalizers = ["example.com/hold"];
    await api("POST", `/api/v1/namespaces/${ns}/pods`, held);
    const del = await api<KubeObject & { status: { phase: string } }>("DELETE", `/api/v1/namespaces/${ns}`);
    expect(del.body.status.phase).toBe("Terminating");
    const gone = async (path: string): Promise<boolean> => (await api("GET", path)).status === 404;
    await eventually(() => gone(`/api/v1/namespaces/${ns}/pods/a`));
    await eventually(() => gone(`/apis/apps/v1/namespaces/${ns}/replicasets/r`));
    // A pod held by a finalizer holds the namespace too.
    expect((await api("GET", `/api/v1/namespaces/${ns}`)).status).toBe(200);
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/held`, { metadata: { finalizers: null } }, MERGE);
    await eventually(() => gone(`/api/v1/namespaces/${ns}`));
  });

  it("deletes a collection by selector", async () => {
    const ns = await namespace();
    for (const [n, app] of [["a", "x"], ["b", "x"], ["c", "y"]] as const) await api("POST", `/api/v1/namespaces/${ns}/pods`, pod(n, {}, { app }));
    const res = await api<{ items: KubeObject[] }>("DELETE", `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dx`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((p) => p.metadata.name).sort()).toEqual(["a", "b"]);
    const left = await api<{ items: KubeObject[] }>("GET", `/api/v1/namespaces/${ns}/pods`);
    expect(left.body.items.map((p) => p.metadata.name)).toEqual(["c"]);
  });
});
