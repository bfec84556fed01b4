/**
 * The limits a write passes (docs/api-server.md, "Limits"): object size,
 * nesting depth, JSON patch amplification, and the end of a pending write
 * that the collection refuses for good. Each test drives the real Worker,
 * object stores and collection stores.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { collectionStub, objectStub } from "../workers/objects/client";
import { api, namespace, pod, type StatusBody } from "./helpers";
import { plantPendingWrite } from "./do-internals";

const MERGE = { "content-type": "application/merge-patch+json" };
const JSONPATCH = { "content-type": "application/json-patch+json" };
const YAML = { "content-type": "application/yaml" };
const APPLY = { "content-type": "application/apply-patch+yaml" };

/** A pod whose JSON is about `bytes` long: env values carry the bulk (annotations are capped at 256 KiB). */
function bigPod(name: string, bytes: number): KubeObject {
  const chunk = 1000;
  const env = Array.from({ length: Math.ceil(bytes / (chunk + 30)) }, (_, i) => ({ name: `V${i}`, value: "x".repeat(chunk) }));
  return pod(name, { spec: { containers: [{ name: "web", image: "nginx:1.27", env }] } });
}

/** `{"a":{"a":…{"a":{}}…}}` nested `depth` levels below the value itself. */
function nested(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

function deepAffinityJson(depth: number): string {
  // Built as text: JSON.stringify of 20,000 levels would itself be deep recursion.
  const open = '{"nodeAffinity":'.repeat(depth);
  return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":{"containers":[{"name":"web","image":"nginx"}],"affinity":${open}{}${"}".repeat(depth)}}}`;
}

describe("object size limit (etcd's 1.5 MiB)", () => {
  it("refuses a create over 1.5 MiB with 413 and stores nothing", async () => {
    const ns = await namespace();
    const res = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods`, bigPod("big", 1.6 * 1024 * 1024));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ kind: "Status", code: 413, reason: "RequestEntityTooLarge", message: "etcdserver: request is too large" });
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/big`)).status).toBe(404);
  });

  it("refuses an update that would grow an object past 1.5 MiB; the object stays readable and writable", async () => {
    const ns = await namespace();
    const created = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, bigPod("web", 1024 * 1024));
    expect(created.status).toBe(201);
    // Pod specs are immutable; status is not.
    const tooBig = await api<StatusBody>("PATCH", `/api/v1/namespaces/${ns}/pods/web/status`,
      { status: { message: "m".repeat(600 * 1024) } }, MERGE);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ reason: "RequestEntityTooLarge", message: "etcdserver: request is too large" });
    const after = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/web`);
    expect(after.status).toBe(200);
    expect(after.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
    const label = await api<KubeObject>("PATCH", `/api/v1/namespaces/${ns}/pods/web`, { metadata: { labels: { ok: "yes" } } }, MERGE);
    expect(label.status).toBe(200);
    expect(label.body.metadata.labels).toEqual({ ok: "yes" });
  });

  it("updates an object of about 1.4 MiB several times; list, get and watch agree", async () => {
    const ns = await namespace();
    const created = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, bigPod("web", 1.4 * 1024 * 1024));
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body).length).toBeGreaterThan(1.35 * 1024 * 1024);
    let rv = created.body.metadata.resourceVersion;
    for (let i = 0; i < 4; i++) {
      const res = await api<KubeObject>("PATCH", `/api/v1/namespaces/${ns}/pods/web`, { metadata: { labels: { n: String(i) } } }, MERGE);
      expect(res.status).toBe(200);
      expect(Number(res.body.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
      rv = res.body.metadata.resourceVersion;
    }
    const got = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/web`);
    expect(got.body.metadata).toMatchObject({ resourceVersion: rv, labels: { n: "3" } });
    const list = await api<{ items: KubeObject[] }>("GET", `/api/v1/namespaces/${ns}/pods`);
    expect(list.body.items.map((p) => p.metadata.resourceVersion)).toEqual([rv]);
    // The events (each with its 1.4 MiB previous object) replay to a watcher from the creation on.
    const watch = await api<string>("GET",
      `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${created.body.metadata.resourceVersion}&timeoutSeconds=1`);
    expect(watch.status).toBe(200);
    const events = String(watch.body).trim().split("\n").map((l) => JSON.parse(l) as { type: string; object: KubeObject });
    expect(events.map((e) => e.object.metadata.labels?.n)).toEqual(["0", "1", "2", "3"]);
  });

  it("refuses a body over 3 MiB with 413 on every write path", async () => {
    const ns = await namespace();
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"))).status).toBe(201);
    const huge = "x".repeat(3 * 1024 * 1024 + 1);
    const paths: [string, string, Record<string, string>][] = [
      ["PATCH", `/api/v1/namespaces/${ns}/pods/web`, MERGE],
      ["PATCH", `/api/v1/namespaces/${ns}/pods/web/status`, JSONPATCH],
      ["PUT", `/api/v1/namespaces/${ns}/pods/web/status`, {}],
      ["PATCH", `/api/v1/namespaces/${ns}/pods/web?fieldManager=t`, APPLY],
      ["POST", "/api/v1/namespaces", { "content-type": "application/vnd.kubernetes.protobuf" }],
      ["DELETE", `/api/v1/namespaces/${ns}/pods/web`, {}],
    ];
    for (const [method, path, headers] of paths) {
      const res = await api<StatusBody>(method, path, huge, headers);
      expect([method, path, res.status, res.body.message]).toEqual([method, path, 413, "Request entity too large: limit is 3145728"]);
    }
  });
});

describe("a pending write the collection refuses for good", () => {
  it("is dropped: reads answer the previous state and later writes succeed", async () => {
    const ns = await namespace();
    const created = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod("web", {}, { v: "1" }));
    expect(created.status).toBe(201);
    const ref = { resource: "/pods", namespace: ns, name: "web" };
    // A pending row whose commit can never apply: it claims a previous resourceVersion the collection never had.
    const stub = objectStub(env, ref);
    const body = { ...created.body, metadata: { ...created.body.metadata, labels: { v: "never" } } };
    await plantPendingWrite(stub, { id: "planted", type: "MODIFIED", body: JSON.stringify(body), prevRv: 999999 });
    const got = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/web`);
    expect(got.status).toBe(200);
    expect(got.body.metadata.labels).toEqual({ v: "1" });
    const left = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM pending").one().n);
    expect(left).toBe(0);
    const patched = await api<KubeObject>("PATCH", `/api/v1/namespaces/${ns}/pods/web`, { metadata: { labels: { v: "2" } } }, MERGE);
    expect(patched.status).toBe(200);
    expect(patched.body.metadata.labels).toEqual({ v: "2" });
  });

  it("refuses the write that left it with the collection's answer, not a bare 500 forever", async () => {
    const ns = await namespace();
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"))).status).toBe(201);
    const ref = { resource: "/pods", namespace: ns, name: "web" };
    const stub = objectStub(env, ref);
    // The collection loses track of the object (as after a restore): the object store's commit no longer applies.
    await runInDurableObject(collectionStub(env, "/pods"), (_instance, state) => {
      state.storage.sql.exec("UPDATE objects SET rv = rv + 1000 WHERE key = ?", `${ns}/web`);
    });
    const refused = await api<StatusBody>("PATCH", `/api/v1/namespaces/${ns}/pods/web`, { metadata: { labels: { v: "2" } } }, MERGE);
    expect(refused.status).toBe(500);
    expect(refused.body).toMatchObject({ kind: "Status", reason: "InternalError" });
    const left = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM pending").one().n);
    expect(left).toBe(0);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/web`)).status).toBe(200);
  });
});

describe("JSON patch amplification", () => {
  it("refuses copies that add more than 3 MiB with 422, at once", async () => {
    const ns = await namespace();
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"))).status).toBe(201);
    // Each copy of /spec into a new member of /spec doubles the document.
    const ops = Array.from({ length: 40 }, (_, i) => ({ op: "copy", from: "/spec", path: `/spec/c${i}` }));
    const started = Date.now();
    const res = await api<StatusBody>("PATCH", `/api/v1/namespaces/${ns}/pods/web`, ops, JSONPATCH);
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/web`)).status).toBe(200);
  });

  it("applies 10,000 moves of a large subtree without copying the document each time", async () => {
    const ns = await namespace();
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, bigPod("web", 1024 * 1024))).status).toBe(201);
    const env = "/spec/containers/0/env";
    const ops = Array.from({ length: 5000 }, () => [
      { op: "move", from: env, path: "/metadata/annotations" },
      { op: "move", from: "/metadata/annotations", path: env },
    ]).flat();
    const started = Date.now();
    const res = await api<KubeObject>("PATCH", `/api/v1/namespaces/${ns}/pods/web`, ops, JSONPATCH);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("refuses more than 10,000 operations with 413", async () => {
    const ns = await namespace();
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"))).status).toBe(201);
    const ops = Array.from({ length: 10_001 }, () => ({ op: "test", path: "/kind", value: "Pod" }));
    const res = await api<StatusBody>("PATCH", `/api/v1/namespaces/${ns}/pods/web`, ops, JSONPATCH);
    expect(res.status).toBe(413);
    expect(res.body.message).toBe("The allowed maximum operations in a JSON patch is 10000, got 10001");
  });
});

describe("nesting limit (100 levels)", () => {
  const tooDeep = /nested too deeply: more than 100 levels/;

  it("refuses a create nested 20,000 levels deep with 400, as JSON and as YAML", async () => {
    const ns = await namespace();
    const json = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods`, deepAffinityJson(20_000));
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ kind: "Status", reason: "BadRequest" });
    expect(json.body.message).toMatch(tooDeep);
    // YAML flow style nests like JSON; block style by indentation.
    const flow = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods`, deepAffinityJson(20_000).replace(/^/, "# yaml\n"), YAML);
    expect(flow.status).toBe(400);
    expect(flow.body.message).toMatch(tooDeep);
    let block = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: deep\nspec:\n  affinity:\n";
    for (let i = 0; i < 150; i++) block += `${"  ".repeat(i + 2)}nodeAffinity:\n`;
    const blockRes = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods`, block, YAML);
    expect(blockRes.status).toBe(400);
    expect(blockRes.body.message).toMatch(tooDeep);
  });

  it("refuses deep update bodies and deep patch documents of every type with 400", async () => {
    const ns = await namespace();
    const created = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod("deep"));
    expect(created.status).toBe(201);
    const path = `/api/v1/namespaces/${ns}/pods/deep`;
    const put = await api<StatusBody>("PUT", path, deepAffinityJson(5000));
    const merge = await api<StatusBody>("PATCH", path, { spec: { affinity: nested(200) } }, MERGE);
    const strategic = await api<StatusBody>("PATCH", path, { spec: { affinity: nested(200) } }, { "content-type": "application/strategic-merge-patch+json" });
    const json = await api<StatusBody>("PATCH", path, [{ op: "add", path: "/spec/affinity", value: nested(200) }], JSONPATCH);
    const apply = await api<StatusBody>("PATCH", `${path}?fieldManager=t`, deepAffinityJson(5000), APPLY);
    for (const res of [put, merge, strategic, json, apply]) {
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(tooDeep);
    }
    expect((await api("GET", path)).status).toBe(200);
  });

  it("refuses a JSON patch whose copies nest the result too deeply", async () => {
    const ns = await namespace();
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("deep"))).status).toBe(201);
    // Each copy puts the whole annotations-holder one level further down: 150 copies, 150 more levels.
    const ops: unknown[] = [{ op: "add", path: "/spec/overhead", value: {} }];
    for (let i = 0; i < 150; i++) ops.push({ op: "copy", from: "/spec/overhead", path: "/spec/overhead/a" });
    const res = await api<StatusBody>("PATCH", `/api/v1/namespaces/${ns}/pods/deep`, ops, JSONPATCH);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/the patched object is nested too deeply/);
  });

  it("counts only brackets outside strings", async () => {
    const ns = await namespace();
    const res = await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("ok", { metadata: { name: "ok", annotations: { deep: JSON.stringify(nested(500)) } } }));
    expect(res.status).toBe(201);
  });
});
