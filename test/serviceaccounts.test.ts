/**
 * `v1` ServiceAccount served like every kind (validation, Table, discovery,
 * protobuf create) and the serviceaccounts controller: a `default`
 * ServiceAccount in every namespace, created with the namespace, re-created
 * when deleted, and gone with its namespace.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { bytesFromBase64 } from "../shared/k8s/base64";
import { parseResourceRequest } from "../workers/api/resource-request";
import { api, ensureToken, eventually, namespace, readResponse, send, TOKEN, type ApiResponse, type StatusBody } from "./helpers";

/** POSTs a base64 protobuf body as the admin. */
export async function protobufPost(path: string, base64: string): Promise<ApiResponse<KubeObject>> {
  await ensureToken();
  return readResponse<KubeObject>(await send(new Request(`https://duraplane.test${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/vnd.kubernetes.protobuf" },
    body: bytesFromBase64(base64),
  })));
}

const TABLE = { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" };

function sa(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name }, ...extra };
}

describe("ServiceAccount kind", () => {
  it("creates, reads and lists ServiceAccounts, printed NAME SECRETS AGE", async () => {
    const ns = await namespace("sa");
    const created = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/serviceaccounts`, sa("ci", { secrets: [{ name: "s1" }, { name: "s2" }] }));
    expect(created.status).toBe(201);
    expect(created.body.metadata.uid).toBeTruthy();
    const table = await api<{ columnDefinitions: { name: string; type: string }[]; rows: { cells: unknown[] }[] }>(
      "GET", `/api/v1/namespaces/${ns}/serviceaccounts/ci`, undefined, TABLE);
    expect(table.status).toBe(200);
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Secrets", "Age"]);
    expect(table.body.rows[0]?.cells.slice(0, 2)).toEqual(["ci", 2]);
  });

  it("refuses an invalid name with 422 and upstream's cause", async () => {
    const ns = await namespace("sa");
    const res = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/serviceaccounts`, sa("Bad_Name"));
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe("Invalid");
    expect(res.body.details?.causes?.[0]).toMatchObject({ field: "metadata.name", reason: "FieldValueInvalid" });
  });

  it("refuses a non-boolean automountServiceAccountToken with 422", async () => {
    const ns = await namespace("sa");
    const res = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/serviceaccounts`, sa("x", { automountServiceAccountToken: "yes" }));
    expect(res.status).toBe(422);
  });

  it("is a namespaced kind: no cluster-scoped create", async () => {
    const res = await api<StatusBody>("POST", "/api/v1/serviceaccounts", sa("x"));
    expect(res.status).toBe(405);
  });

  it("is in discovery with shortName sa and the token subresource", async () => {
    const res = await api<{ resources: { name: string; shortNames?: string[]; kind: string; group?: string; verbs: string[] }[] }>("GET", "/api/v1");
    const main = res.body.resources.find((r) => r.name === "serviceaccounts");
    expect(main).toMatchObject({ kind: "ServiceAccount", shortNames: ["sa"] });
    expect(res.body.resources.find((r) => r.name === "serviceaccounts/token")).toMatchObject({
      kind: "TokenRequest", group: "authentication.k8s.io", verbs: ["create"],
    });
  });

  it("is in the OpenAPI document", async () => {
    const res = await api<{ components: { schemas: Record<string, unknown> } }>("GET", "/openapi/v3/api/v1");
    expect(Object.keys(res.body.components.schemas)).toContain("io.k8s.api.core.v1.ServiceAccount");
  });

  it("accepts the protobuf body of kubectl create serviceaccount", async () => {
    // The captured body names namespace "a".
    await api("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "a" } });
    await api("DELETE", "/api/v1/namespaces/a/serviceaccounts/ci");
    const res = await protobufPost("/api/v1/namespaces/a/serviceaccounts?fieldManager=kubectl-create&fieldValidation=Strict",
      "azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSFQoTCgJjaRIAGgFhIgAqADIAOABCABoAIgA=");
    expect(res.status).toBe(201);
    expect(res.body.metadata).toMatchObject({ name: "ci", namespace: "a" });
  });

  it("parses serviceaccounts/{name}/token as create on the token subresource", () => {
    const r = parseResourceRequest("POST", new URL("https://x/api/v1/namespaces/a/serviceaccounts/ci/token"));
    expect(r.verb).toBe("create");
    expect(r.path).toMatchObject({ namespace: "a", name: "ci", subresource: "token" });
    expect(r.path.kind.plural).toBe("serviceaccounts");
    expect(() => parseResourceRequest("POST", new URL("https://x/api/v1/namespaces/a/pods/p/token"))).toThrow();
  });
});

async function defaultAccount(ns: string): Promise<KubeObject | undefined> {
  const res = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/serviceaccounts/default`);
  return res.status === 200 ? res.body : undefined;
}

describe("the default ServiceAccount", () => {
  it("is created with every namespace", async () => {
    const ns = await namespace("sa");
    await eventually(async () => (await defaultAccount(ns)) !== undefined, 15_000);
  });

  it("exists in the built-in namespaces", async () => {
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      await eventually(async () => (await defaultAccount(ns)) !== undefined, 15_000);
    }
  });

  it("is re-created when deleted, with a new uid", async () => {
    const ns = await namespace("sa");
    await eventually(async () => (await defaultAccount(ns)) !== undefined, 15_000);
    const first = await defaultAccount(ns);
    expect((await api("DELETE", `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status).toBe(200);
    await eventually(async () => {
      const again = await defaultAccount(ns);
      return again !== undefined && again.metadata.uid !== first?.metadata.uid;
    }, 15_000);
  });

  it("goes away with its namespace and is not re-created there", async () => {
    const ns = await namespace("sa");
    await eventually(async () => (await defaultAccount(ns)) !== undefined, 15_000);
    expect((await api("DELETE", `/api/v1/namespaces/${ns}`)).status).toBe(200);
    await eventually(async () => (await api("GET", `/api/v1/namespaces/${ns}`)).status === 404, 20_000);
    const list = await api<{ items: unknown[] }>("GET", `/api/v1/namespaces/${ns}/serviceaccounts`);
    expect(list.body.items).toEqual([]);
  });
});
