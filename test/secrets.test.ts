/**
 * `v1` Secret through the API: stringData folded into data and never
 * returned, type defaulted and immutable, an immutable Secret's data kept,
 * bad keys and values refused as 422 with upstream's causes, the table
 * kubectl prints (never the data), a field selector on type, and RBAC's
 * `view` role not reading Secrets while `edit` does, as upstream bootstraps them.
 * ConfigMaps: both maps, their table, immutability and a key in both refused.
 */
import { describe, expect, it } from "vitest";
import { api, namespace, type StatusBody } from "./helpers";

type SecretBody = { data?: Record<string, string>; stringData?: unknown; type?: string; immutable?: boolean; metadata: { resourceVersion?: string } };
const MERGE = { "content-type": "application/merge-patch+json" };
const secret = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "Secret", metadata: { name }, ...extra });

describe("Secrets", () => {
  it("stores stringData as base64 data, never returns stringData, defaults type to Opaque", async () => {
    const ns = await namespace("secret");
    const created = await api<SecretBody>("POST", `/api/v1/namespaces/${ns}/secrets`, secret("db", { stringData: { password: "s3cr3t" }, data: { user: "YWxpY2U=" } }));
    expect(created.status).toBe(201);
    expect(created.body.data).toEqual({ user: "YWxpY2U=", password: "czNjcjN0" });
    expect(created.body.stringData).toBeUndefined();
    expect(created.body.type).toBe("Opaque");
    const got = await api<SecretBody>("GET", `/api/v1/namespaces/${ns}/secrets/db`);
    expect(got.body.data).toEqual({ user: "YWxpY2U=", password: "czNjcjN0" });
    // A patch's stringData lands in data too.
    const patched = await api<SecretBody>("PATCH", `/api/v1/namespaces/${ns}/secrets/db`, { stringData: { password: "new" } }, MERGE);
    expect(patched.status).toBe(200);
    expect(patched.body.data?.password).toBe("bmV3");
    expect(patched.body.stringData).toBeUndefined();
  });

  it("prints Name, Type, Data and Age, never the data, and selects by type", async () => {
    const ns = await namespace("secret");
    await api("POST", `/api/v1/namespaces/${ns}/secrets`, secret("plain", { data: { a: "eA==", b: "eQ==" } }));
    await api("POST", `/api/v1/namespaces/${ns}/secrets`, secret("tls", { type: "kubernetes.io/tls", data: { "tls.crt": "", "tls.key": "" } }));
    const table = await api<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(
      "GET", `/api/v1/namespaces/${ns}/secrets`, undefined, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Type", "Data", "Age"]);
    expect(table.body.rows.map((r) => r.cells.slice(0, 3))).toEqual([["plain", "Opaque", 2], ["tls", "kubernetes.io/tls", 2]]);
    expect(JSON.stringify(table.body)).not.toContain("eA==");
    const tls = await api<{ items: { metadata: { name: string } }[] }>("GET", `/api/v1/namespaces/${ns}/secrets?fieldSelector=type%3Dkubernetes.io%2Ftls`);
    expect(tls.body.items.map((s) => s.metadata.name)).toEqual(["tls"]);
  });

  it("refuses bad keys, values that are not base64 and missing required keys, with the causes", async () => {
    const ns = await namespace("secret");
    const bad = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/secrets`, secret("bad", { data: { "a/b": "eA==", ok: "%%%" } }));
    expect(bad.status).toBe(422);
    expect(bad.body.details?.causes?.map((c) => c.field)).toEqual(["data[a/b]", "data[ok]"]);
    expect(bad.body.message).toContain("illegal base64 data at input byte 0");
    expect(bad.body.message).not.toContain("%%%");
    const tls = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/secrets`, secret("tls", { type: "kubernetes.io/tls", data: { "tls.crt": "" } }));
    expect(tls.status).toBe(422);
    expect(tls.body.message).toBe('Secret "tls" is invalid: data[tls.key]: Required value');
    expect((await api("GET", `/api/v1/namespaces/${ns}/secrets/bad`)).status).toBe(404);
  });

  it("keeps type, and an immutable Secret's data, and loses nothing on a refused update", async () => {
    const ns = await namespace("secret");
    const path = `/api/v1/namespaces/${ns}/secrets/frozen`;
    expect((await api("POST", `/api/v1/namespaces/${ns}/secrets`, secret("frozen", { data: { a: "eA==" }, immutable: true }))).status).toBe(201);
    const changeData = await api<StatusBody>("PATCH", path, { data: { a: "eQ==" } }, MERGE);
    expect(changeData.status).toBe(422);
    expect(changeData.body.message).toContain("data: Forbidden: field is immutable when `immutable` is set");
    const changeType = await api<StatusBody>("PATCH", path, { type: "kubernetes.io/basic-auth", data: { a: "eA==", username: "" } }, MERGE);
    expect(changeType.status).toBe(422);
    expect(changeType.body.message).toContain("type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable");
    // Labels still change; the data is what it was.
    const labelled = await api<SecretBody>("PATCH", path, { metadata: { labels: { team: "a" } } }, MERGE);
    expect(labelled.status).toBe(200);
    expect(labelled.body.data).toEqual({ a: "eA==" });
  });

  it("is readable with edit but not with view, as upstream's bootstrap roles have it", async () => {
    const ns = await namespace("secret");
    await api("POST", `/api/v1/namespaces/${ns}/secrets`, secret("db", { data: { a: "eA==" } }));
    for (const [role, user] of [["view", "viewer"], ["edit", "editor"]] as const) {
      const binding = {
        apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: role },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
      };
      expect((await api("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, binding)).status).toBe(201);
    }
    const asUser = (user: string) => api<StatusBody>("GET", `/api/v1/namespaces/${ns}/secrets/db`, undefined, { "impersonate-user": user });
    let viewer = await asUser("viewer");
    let editor = await asUser("editor");
    // The authorizer's cache follows the new bindings within a second or so.
    for (let i = 0; i < 40 && editor.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      viewer = await asUser("viewer");
      editor = await asUser("editor");
    }
    expect(editor.status).toBe(200);
    expect(viewer.status).toBe(403);
    expect(viewer.body.message).toBe(`secrets "db" is forbidden: User "viewer" cannot get resource "secrets" in API group "" in the namespace "${ns}"`);
  });
});

describe("ConfigMaps", () => {
  it("stores data and binaryData, prints Name/Data/Age, keeps an immutable one, refuses a key in both maps", async () => {
    const ns = await namespace("cm");
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const cm = (name: string, extra: Record<string, unknown>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, ...extra });
    expect((await api("POST", path, cm("app", { data: { "app.properties": "a=b" }, binaryData: { logo: "eA==" }, immutable: true }))).status).toBe(201);
    const table = await api<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(
      "GET", path, undefined, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Data", "Age"]);
    expect(table.body.rows.map((r) => r.cells.slice(0, 2))).toEqual([["app", 2]]);
    const changed = await api<StatusBody>("PATCH", `${path}/app`, { data: { "app.properties": "a=c" } }, MERGE);
    expect(changed.status).toBe(422);
    expect(changed.body.message).toBe('ConfigMap "app" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    const both = await api<StatusBody>("POST", path, cm("both", { data: { k: "v" }, binaryData: { k: "eA==" } }));
    expect(both.status).toBe(422);
    expect(both.body.message).toBe('ConfigMap "both" is invalid: data[k]: Invalid value: "k": duplicate of key present in binaryData');
    const got = await api<{ data?: Record<string, string> }>("GET", `${path}/app`);
    expect(got.body.data).toEqual({ "app.properties": "a=b" });
  });
});
