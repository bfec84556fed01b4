/**
 * Reads through the real Worker: discovery, version, OpenAPI, auth, get,
 * list with selectors, paging and Table output.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { collectionStub } from "../workers/objects/client";
import { api, namespace, pod, send, type StatusBody } from "./helpers";
import { pruneNow } from "./do-internals";

type List = { kind: string; metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number }; items: KubeObject[] };
type Table = { kind: string; columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[]; object: { kind: string; metadata: { name: string } } }[] };

describe("unauthenticated access", () => {
  it("serves /version without a token and refuses everything else with a 401 Status", async () => {
    const v = await send(new Request("https://duraplane.test/version"));
    expect(await v.json()).toMatchObject({ major: "1", minor: "32" });
    const res = await send(new Request("https://duraplane.test/api/v1/namespaces"));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: "Status", code: 401, reason: "Unauthorized" });
    const wrong = await send(new Request("https://duraplane.test/api/v1/namespaces", { headers: { authorization: "Bearer nope" } }));
    expect(wrong.status).toBe(401);
  });
});

describe("discovery", () => {
  it("serves aggregated v2 discovery with the exact content type", async () => {
    const accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    type Sub = { subresource: string; responseKind: { kind: string }; verbs: string[] };
    const core = await api<{ items: { metadata: { name: string }; versions: { resources: { resource: string; shortNames: string[]; scope: string; subresources: Sub[] }[] }[] }[] }>("GET", "/api", undefined, { accept });
    expect(core.headers.get("content-type")).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    expect(core.body.items[0]?.metadata.name).toBe("");
    const resources = core.body.items[0]?.versions[0]?.resources.map((r) => r.resource).sort();
    expect(resources).toEqual(["configmaps", "events", "limitranges", "namespaces", "nodes", "pods", "resourcequotas", "secrets", "serviceaccounts"]);
    const sa = core.body.items[0]?.versions[0]?.resources.find((r) => r.resource === "serviceaccounts");
    expect(sa?.shortNames).toEqual(["sa"]);
    expect(sa?.subresources.map((s) => `${s.subresource}:${s.responseKind.kind}:${s.verbs.join("/")}`)).toContain("token:TokenRequest:create");
    const pods = core.body.items[0]?.versions[0]?.resources.find((r) => r.resource === "pods");
    expect(pods?.subresources.map((s) => `${s.subresource}:${s.responseKind.kind}:${s.verbs.join("/")}`)).toEqual(["status:Pod:get/patch/update", "binding:Binding:create", "eviction:Eviction:create"]);
    const groups = await api<{ items: { metadata: { name: string }; versions: { resources: { resource: string; subresources: { subresource: string; responseKind: { kind: string } }[] }[] }[] }[] }>("GET", "/apis", undefined, { accept });
    expect(groups.body.items.map((i) => i.metadata.name)).toEqual(["apps", "kubevirt.io", "pool.kubevirt.io", "rbac.authorization.k8s.io", "quota.duraplane.io", "policy", "metrics.k8s.io", "flowcontrol.apiserver.k8s.io"]);
    const deployments = groups.body.items[0]?.versions[0]?.resources.find((r) => r.resource === "deployments");
    expect(deployments?.subresources.map((s) => `${s.subresource}:${s.responseKind.kind}`)).toEqual(["status:Deployment", "scale:Scale"]);
    const vmirs = groups.body.items[1]?.versions[0]?.resources.find((r) => r.resource === "virtualmachineinstancereplicasets");
    expect(vmirs?.subresources.map((s) => `${s.subresource}:${s.responseKind.kind}`)).toEqual(["status:VirtualMachineInstanceReplicaSet", "scale:Scale"]);
  });

  it("serves legacy discovery", async () => {
    expect((await api("GET", "/api")).body).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    expect((await api("GET", "/apis")).body).toMatchObject({ kind: "APIGroupList" });
    const v1 = await api<{ resources: { name: string; kind?: string; verbs?: string[] }[] }>("GET", "/api/v1");
    expect(v1.body.resources.map((r) => r.name)).toContain("pods/status");
    expect(v1.body.resources.find((r) => r.name === "pods/binding")).toMatchObject({ kind: "Binding", verbs: ["create"] });
    expect(v1.body.resources.some((r) => r.name === "nodes/binding")).toBe(false);
    const kv = await api<{ resources: { name: string; kind: string }[] }>("GET", "/apis/kubevirt.io/v1");
    expect(kv.body.resources.find((r) => r.name === "virtualmachineinstancereplicasets/scale")?.kind).toBe("Scale");
    expect((await api("GET", "/apis/nope/v1")).status).toBe(404);
  });

  it("serves OpenAPI v3 with group-version-kind extensions", async () => {
    const root = await api<{ paths: Record<string, { serverRelativeURL: string }> }>("GET", "/openapi/v3");
    const url = root.body.paths["api/v1"]?.serverRelativeURL ?? "";
    expect(url).toMatch(/^\/openapi\/v3\/api\/v1\?hash=/);
    const doc = await api<{ components: { schemas: Record<string, { "x-kubernetes-group-version-kind"?: unknown }> } }>("GET", url);
    expect(doc.body.components.schemas["io.k8s.api.core.v1.Pod"]?.["x-kubernetes-group-version-kind"]).toEqual([{ group: "", version: "v1", kind: "Pod" }]);
    expect((await api("GET", "/openapi/v2")).status).toBe(404);
  });
});

describe("get and list", () => {
  it("creates the built-in namespaces", async () => {
    const list = await api<List>("GET", "/api/v1/namespaces");
    const names = list.body.items.map((n) => n.metadata.name);
    expect(names).toEqual(expect.arrayContaining(["default", "kube-system", "kube-public", "kube-node-lease"]));
  });

  it("lists namespaced and across namespaces, with label and field selectors", async () => {
    const a = await namespace();
    const b = await namespace();
    await api("POST", `/api/v1/namespaces/${a}/pods`, pod("p1", {}, { app: "web", tier: "front" }));
    await api("POST", `/api/v1/namespaces/${a}/pods`, pod("p2", {}, { app: "db" }));
    await api("POST", `/api/v1/namespaces/${b}/pods`, pod("p3", {}, { app: "web" }));
    const names = async (path: string): Promise<string[]> =>
      (await api<List>("GET", path)).body.items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort();
    expect(await names(`/api/v1/namespaces/${a}/pods`)).toEqual([`${a}/p1`, `${a}/p2`]);
    const all = await names("/api/v1/pods?labelSelector=app%3Dweb");
    expect(all).toEqual(expect.arrayContaining([`${a}/p1`, `${b}/p3`]));
    expect(all).not.toContain(`${a}/p2`);
    expect(await names(`/api/v1/namespaces/${a}/pods?labelSelector=${encodeURIComponent("app in (web,db),tier!=front")}`)).toEqual([`${a}/p2`]);
    expect(await names(`/api/v1/namespaces/${a}/pods?labelSelector=${encodeURIComponent("!tier")}`)).toEqual([`${a}/p2`]);
    expect(await names(`/api/v1/pods?fieldSelector=${encodeURIComponent(`metadata.namespace=${b}`)}`)).toEqual([`${b}/p3`]);
    expect(await names(`/api/v1/namespaces/${a}/pods?fieldSelector=${encodeURIComponent("metadata.name=p2")}`)).toEqual([`${a}/p2`]);
    expect(await names(`/api/v1/namespaces/${a}/pods?fieldSelector=${encodeURIComponent("status.phase=Pending,metadata.name!=p1")}`)).toEqual([`${a}/p2`]);
  });

  it("answers invalid selectors with 400", async () => {
    const ns = await namespace();
    const bad = await api<StatusBody>("GET", `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent("a in (")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.reason).toBe("BadRequest");
    const field = await api<StatusBody>("GET", `/api/v1/namespaces/${ns}/pods?fieldSelector=spec.bogus%3Dx`);
    expect(field.status).toBe(400);
    expect(field.body.message).toBe("field label not supported: spec.bogus");
    const vmField = await api<StatusBody>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines?fieldSelector=status.phase%3DRunning`);
    expect(vmField.status).toBe(400);
  });

  it("pages with limit and continue, consistently at the first page's resourceVersion", async () => {
    const ns = await namespace();
    for (let i = 0; i < 7; i++) await api("POST", `/api/v1/namespaces/${ns}/pods`, pod(`p${i}`));
    const first = await api<List>("GET", `/api/v1/namespaces/${ns}/pods?limit=3`);
    expect(first.body.items.map((p) => p.metadata.name)).toEqual(["p0", "p1", "p2"]);
    expect(first.body.metadata.remainingItemCount).toBe(4);
    const token = first.body.metadata.continue ?? "";
    expect(token).not.toBe("");
    // Changes after the first page do not show up in later pages.
    await api("DELETE", `/api/v1/namespaces/${ns}/pods/p4`);
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("p3a"));
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/p5`, { metadata: { labels: { late: "yes" } } }, { "content-type": "application/merge-patch+json" });
    const second = await api<List>("GET", `/api/v1/namespaces/${ns}/pods?limit=3&continue=${encodeURIComponent(token)}`);
    expect(second.body.items.map((p) => p.metadata.name)).toEqual(["p3", "p4", "p5"]);
    expect(second.body.items[2]?.metadata.labels ?? {}).toEqual({});
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    const third = await api<List>("GET", `/api/v1/namespaces/${ns}/pods?limit=3&continue=${encodeURIComponent(second.body.metadata.continue ?? "")}`);
    expect(third.body.items.map((p) => p.metadata.name)).toEqual(["p6"]);
    expect(third.body.metadata.continue).toBeUndefined();

    const garbage = await api<StatusBody>("GET", `/api/v1/namespaces/${ns}/pods?limit=3&continue=garbage`);
    expect(garbage.status).toBe(400);
  });

  it("answers a continue token older than the event window with 410 Expired", async () => {
    const ns = await namespace();
    for (let i = 0; i < 3; i++) await api("POST", `/api/v1/namespaces/${ns}/pods`, pod(`p${i}`));
    const first = await api<List>("GET", `/api/v1/namespaces/${ns}/pods?limit=1`);
    // Push the window beyond 1,000 events of this kind, then prune as if 10 minutes had passed.
    for (let i = 0; i < 1001; i++) {
      await api("PATCH", `/api/v1/namespaces/${ns}/pods/p2`, { metadata: { labels: { n: String(i) } } }, { "content-type": "application/merge-patch+json" });
    }
    const compacted = await pruneNow(collectionStub(env, "/pods"), Date.now() + 10 * 60 * 1000);
    expect(compacted).toBeGreaterThan(Number(first.body.metadata.resourceVersion));
    const res = await api<StatusBody>("GET", `/api/v1/namespaces/${ns}/pods?limit=1&continue=${encodeURIComponent(first.body.metadata.continue ?? "")}`);
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ reason: "Expired", code: 410 });
    const exact = await api<StatusBody>("GET", `/api/v1/namespaces/${ns}/pods?resourceVersion=${first.body.metadata.resourceVersion}&resourceVersionMatch=Exact`);
    expect(exact.status).toBe(410);
  }, 60_000);

  it("renders Tables for kubectl get, with wide columns and PartialObjectMetadata rows", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
    const accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    const list = await api<Table>("GET", `/api/v1/namespaces/${ns}/pods?limit=500`, undefined, { accept });
    expect(list.headers.get("content-type")).toBe("application/json;as=Table;v=v1;g=meta.k8s.io");
    expect(list.body.columnDefinitions.map((c) => c.name).slice(0, 5)).toEqual(["Name", "Ready", "Status", "Restarts", "Age"]);
    expect(list.body.rows[0]?.cells.slice(0, 4)).toEqual(["web", "0/1", "Pending", "0"]);
    expect(list.body.rows[0]?.object).toMatchObject({ kind: "PartialObjectMetadata", metadata: { name: "web" } });
    const one = await api<Table>("GET", `/api/v1/namespaces/${ns}/pods/web`, undefined, { accept });
    expect(one.body.kind).toBe("Table");
    expect(one.body.rows).toHaveLength(1);
    const proto = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/web`, undefined, { accept: "application/vnd.kubernetes.protobuf,application/json" });
    expect(proto.headers.get("content-type")).toBe("application/json");
    expect(proto.body.kind).toBe("Pod");
  });

  it("answers unknown paths and missing objects with 404 Status", async () => {
    expect((await api<StatusBody>("GET", "/api/v1/namespaces/default/widgets")).body).toMatchObject({ code: 404, reason: "NotFound" });
    const missing = await api<StatusBody>("GET", "/api/v1/namespaces/default/pods/nope");
    expect(missing.body).toMatchObject({ code: 404, message: 'pods "nope" not found' });
    const vm = await api<StatusBody>("GET", "/apis/kubevirt.io/v1/namespaces/default/virtualmachines/nope");
    expect(vm.body.message).toBe('virtualmachines.kubevirt.io "nope" not found');
    expect((await api("GET", "/api/v1/namespaces/default/namespaces")).status).toBe(404);
  });
});
