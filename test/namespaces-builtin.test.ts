/**
 * Namespace lifecycle at the front (upstream's NamespaceLifecycle admission
 * and namespaces' verbs): the built-in namespaces cannot be deleted,
 * namespaces have no deletecollection, and server-side apply of an object
 * that already exists in a terminating namespace is an update, not a create.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { api, namespace, pod, type StatusBody } from "./helpers";

const MERGE = { "content-type": "application/merge-patch+json" };
const APPLY = { "content-type": "application/apply-patch+yaml" };

interface Resource { name: string; verbs: string[] }

describe("built-in namespaces", () => {
  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    it(`refuses to delete ${name} (403, upstream's message) and it stays usable`, async () => {
      const res = await api<StatusBody & { details?: { name?: string; kind?: string } }>("DELETE", `/api/v1/namespaces/${name}`);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        kind: "Status", code: 403, reason: "Forbidden",
        message: `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        details: { name, kind: "namespaces" },
      });
      const got = await api<KubeObject>("GET", `/api/v1/namespaces/${name}`);
      expect(got.status).toBe(200);
      expect(got.body.metadata.deletionTimestamp).toBeUndefined();
      const podName = `p-${crypto.randomUUID().slice(0, 8)}`;
      expect((await api("POST", `/api/v1/namespaces/${name}/pods`, pod(podName))).status).toBe(201);
      expect((await api("DELETE", `/api/v1/namespaces/${name}/pods/${podName}`)).status).toBe(200);
    });
  }

  it("refuses a dry-run delete of default too (admission runs for dry runs)", async () => {
    expect((await api("DELETE", "/api/v1/namespaces/default?dryRun=All")).status).toBe(403);
  });

  it("still deletes other namespaces", async () => {
    const ns = await namespace();
    const res = await api<KubeObject>("DELETE", `/api/v1/namespaces/${ns}`);
    expect(res.status).toBe(200);
    expect(res.body.metadata.deletionTimestamp).toBeDefined();
  });
});

describe("namespaces have no deletecollection", () => {
  it("answers DELETE /api/v1/namespaces with 405 and deletes nothing", async () => {
    const ns = await namespace();
    const res = await api<StatusBody>("DELETE", "/api/v1/namespaces");
    expect(res.status).toBe(405);
    expect(res.body).toMatchObject({
      kind: "Status", code: 405, reason: "MethodNotAllowed",
      message: "the server does not allow this method on the requested resource",
    });
    for (const name of [ns, "default", "kube-system"]) {
      const got = await api<KubeObject>("GET", `/api/v1/namespaces/${name}`);
      expect(got.status).toBe(200);
      expect(got.body.metadata.deletionTimestamp).toBeUndefined();
    }
  });

  it("does not advertise deletecollection for namespaces (other kinds keep it)", async () => {
    const list = await api<{ resources: Resource[] }>("GET", "/api/v1");
    const verbs = (n: string): string[] => list.body.resources.find((r) => r.name === n)?.verbs ?? [];
    expect(verbs("namespaces")).not.toContain("deletecollection");
    expect(verbs("namespaces")).toContain("delete");
    expect(verbs("pods")).toContain("deletecollection");
  });
});

describe("server-side apply in a terminating namespace", () => {
  async function terminating(): Promise<string> {
    const ns = await namespace();
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("existing"))).status).toBe(201);
    // The finalizer holds the namespace in Terminating for the rest of the test.
    await api("PATCH", `/api/v1/namespaces/${ns}`, { metadata: { finalizers: ["example.com/hold"] } }, MERGE);
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/existing`, { metadata: { finalizers: ["example.com/hold"] } }, MERGE);
    expect((await api("DELETE", `/api/v1/namespaces/${ns}`)).status).toBe(200);
    return ns;
  }

  it("updates an existing object (200), like any update", async () => {
    const ns = await terminating();
    const applied = { apiVersion: "v1", kind: "Pod", metadata: { name: "existing", labels: { applied: "yes" } } };
    const res = await api<KubeObject>("PATCH", `/api/v1/namespaces/${ns}/pods/existing?fieldManager=test`, JSON.stringify(applied), APPLY);
    expect(res.status).toBe(200);
    expect(res.body.metadata.labels).toMatchObject({ applied: "yes" });
  });

  it("still refuses creating a new object with apply (403)", async () => {
    const ns = await terminating();
    const res = await api<StatusBody>("PATCH", `/api/v1/namespaces/${ns}/pods/fresh?fieldManager=test`, JSON.stringify(pod("fresh")), APPLY);
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(`pods "fresh" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`);
  });
});
