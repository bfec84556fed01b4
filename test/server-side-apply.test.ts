/**
 * Field management through the real Worker: managedFields on create, update,
 * patch, /status and /scale; server-side apply's conflicts, force, removal of
 * omitted fields; managedFields set by a client; bad input answered with a
 * Status, never a 500.
 */
import { describe, expect, it } from "vitest";
import type { ManagedFieldsEntry } from "../shared/k8s/managed-fields";
import type { KubeObject } from "../shared/k8s/object";
import { api, namespace, type StatusBody } from "./helpers";

const APPLY = { "content-type": "application/apply-patch+yaml" };
const MERGE = { "content-type": "application/merge-patch+json" };
const KUBECTL = { "user-agent": "kubectl/v1.32.4 (linux/amd64) kubernetes/1234567" };

type Rs = KubeObject & { spec: { replicas: number; minReadySeconds?: number; template: { spec: { containers: { name: string; image: string }[] } } } };

const rs = (name: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = { app: name }) => ({
  apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name, labels },
  spec: { replicas: 2, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } }, ...spec },
});

const entries = (obj: KubeObject) => (obj.metadata.managedFields ?? []) as unknown as ManagedFieldsEntry[];
/** The entries' managers, without the controllers' (the ReplicaSet controller writes status when it likes). */
const who = (obj: KubeObject) => entries(obj).filter((e) => !e.manager.startsWith("kube-"))
  .map((e) => [e.manager, e.operation, e.subresource ?? ""].join("/")).sort();

describe("managedFields of Update operations", () => {
  it("create, patch, /status and /scale record their manager, from fieldManager or the user agent", async () => {
    const ns = await namespace();
    const base = `/apis/apps/v1/namespaces/${ns}/replicasets`;
    const created = await api<Rs>("POST", `${base}?fieldManager=kubectl-create`, rs("web"));
    expect(created.status).toBe(201);
    expect(entries(created.body)).toEqual([expect.objectContaining({
      manager: "kubectl-create", operation: "Update", apiVersion: "apps/v1", fieldsType: "FieldsV1",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    })]);
    expect(entries(created.body)[0]?.fieldsV1).toMatchObject({ "f:spec": { "f:replicas": {}, "f:selector": {} } });
    await api("PATCH", `${base}/web`, { spec: { minReadySeconds: 3 } }, { ...MERGE, ...KUBECTL });
    const scaled = await api<Rs>("PATCH", `${base}/web/scale?fieldManager=kubectl-scale`, { spec: { replicas: 4 } }, MERGE);
    expect(scaled.status).toBe(200);
    const got = (await api<Rs>("GET", `${base}/web`)).body;
    expect(who(got)).toEqual(["kubectl-create/Update/", "kubectl-scale/Update/scale", "kubectl/Update/"]);
    const byName = new Map(entries(got).map((e) => [e.manager, e.fieldsV1]));
    expect(byName.get("kubectl")).toEqual({ "f:spec": { "f:minReadySeconds": {} } });
    expect(byName.get("kubectl-scale")).toEqual({ "f:spec": { "f:replicas": {} } });
    // kubectl-create lost replicas to the scale.
    expect(byName.get("kubectl-create")).not.toHaveProperty(["f:spec", "f:replicas"]);
  });

  it("a /status write records an entry with subresource status that owns only status", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "busybox" }] } });
    const res = await api<KubeObject>("PATCH", `/api/v1/namespaces/${ns}/pods/p/status`, { status: { message: "hello" } }, { ...MERGE, "user-agent": "agent/1.0" });
    expect(res.status).toBe(200);
    expect(entries(res.body).find((e) => e.manager === "agent")).toEqual(expect.objectContaining({
      operation: "Update", apiVersion: "v1", subresource: "status", fieldsV1: { "f:status": { "f:message": {} } },
    }));
  });

  it("apply to the status of an object that does not exist is NotFound and creates nothing", async () => {
    const ns = await namespace();
    const body = JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "ghost" }, status: { message: "hi" } });
    const res = await api<StatusBody>("PATCH", `/api/v1/namespaces/${ns}/pods/ghost/status?fieldManager=agent`, body, APPLY);
    expect([res.status, res.body.message]).toEqual([404, 'pods "ghost" not found']);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/ghost`)).status).toBe(404);
  });

  it("a client may replace managedFields; [{}] clears them; invalid ones are 422", async () => {
    const ns = await namespace();
    const path = `/apis/apps/v1/namespaces/${ns}/replicasets/web`;
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets?fieldManager=kubectl-create`, rs("web"));
    const cleared = await api<Rs>("PATCH", path, { metadata: { managedFields: [{}] } }, MERGE);
    expect(cleared.status).toBe(200);
    expect(cleared.body.metadata.managedFields).toBeUndefined();
    const mine = [{ manager: "restore", operation: "Apply", apiVersion: "apps/v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:replicas": {} } } }];
    const set = await api<Rs>("PATCH", path, { metadata: { managedFields: mine } }, MERGE);
    expect(entries(set.body)).toEqual(mine);
    const bad = await api<StatusBody>("PATCH", path, { metadata: { managedFields: [{ manager: "x", operation: "Merge", fieldsV1: { "f:spec": {} } }] } }, MERGE);
    expect(bad.status).toBe(422);
    expect(bad.body.details?.causes?.[0]?.field).toBe("metadata.managedFields[0].operation");
    const notSet = await api<StatusBody>("PATCH", path, { metadata: { managedFields: [{ manager: "x", operation: "Update", fieldsV1: { spec: {} } }] } }, MERGE);
    expect(notSet.status).toBe(422);
    const tooLong = await api<StatusBody>("PATCH", `${path}?fieldManager=${"m".repeat(129)}`, { spec: { replicas: 1 } }, MERGE);
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.message).toContain("fieldManager: Too long");
  });
});

describe("server-side apply", () => {
  it("conflicts with another manager's field (409 FieldManagerConflict), force takes it, omitted fields go", async () => {
    const ns = await namespace();
    const path = `/apis/apps/v1/namespaces/${ns}/replicasets/web`;
    const apply = (body: unknown, force = false) =>
      api<Rs & StatusBody>("PATCH", `${path}?fieldManager=kubectl&force=${force}`, JSON.stringify(body), APPLY);
    expect((await apply(rs("web", { minReadySeconds: 5 }, { app: "web", tier: "a" }))).status).toBe(201);
    await api("PATCH", `${path}?fieldManager=kubectl-edit`, { spec: { replicas: 3 } }, MERGE);

    const refused = await apply(rs("web", { minReadySeconds: 5 }, { app: "web", tier: "a" }));
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toBe("Conflict");
    expect(refused.body.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');
    expect(refused.body.details?.causes).toEqual([{ reason: "FieldManagerConflict", message: 'conflict with "kubectl-edit" using apps/v1', field: ".spec.replicas" }]);

    // Forced, without minReadySeconds and the tier label: replicas is taken back, the omitted fields removed.
    const forced = await apply(rs("web"), true);
    expect(forced.status).toBe(200);
    expect(forced.body.spec.replicas).toBe(2);
    expect(forced.body.spec.minReadySeconds).toBeUndefined();
    expect(forced.body.metadata.labels).toEqual({ app: "web" });
    expect(who(forced.body)).toEqual(["kubectl/Apply/"]);
  });

  it("the same value applied by two managers is shared; the field stays while one of them applies it", async () => {
    const ns = await namespace();
    const path = `/apis/apps/v1/namespaces/${ns}/replicasets/web`;
    await api("PATCH", `${path}?fieldManager=a`, JSON.stringify(rs("web", { minReadySeconds: 7 })), APPLY);
    const shared = await api<Rs>("PATCH", `${path}?fieldManager=b`, JSON.stringify({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web" }, spec: { minReadySeconds: 7 } }), APPLY);
    expect(shared.status).toBe(200);
    expect(who(shared.body)).toEqual(["a/Apply/", "b/Apply/"]);
    const dropped = await api<Rs>("PATCH", `${path}?fieldManager=a`, JSON.stringify(rs("web")), APPLY);
    expect(dropped.body.spec.minReadySeconds).toBe(7);
  });

  it("an applied body with managedFields is a 400; a body that is no object is a 400, never a 500", async () => {
    const ns = await namespace();
    const path = `/apis/apps/v1/namespaces/${ns}/replicasets/web?fieldManager=kubectl`;
    const withFields = { ...rs("web"), metadata: { name: "web", managedFields: [{ manager: "x" }] } };
    const res = await api<StatusBody>("PATCH", path, JSON.stringify(withFields), APPLY);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("metadata.managedFields must be nil");
    expect((await api("PATCH", path, "[1, 2]", APPLY)).status).toBe(400);
  });
});
