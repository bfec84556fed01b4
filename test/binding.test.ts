/**
 * The bind write in workerd: `POST pods/{name}/binding` with good and bad
 * bodies, and the VMI bind through the object store — one write, one
 * resourceVersion, one watch event. No Node exists in this file, so the
 * scheduler stays idle and every bind here is the test's own.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { collectionStub, writeObject } from "../workers/objects/client";
import { api, namespace, pod, type StatusBody } from "./helpers";

type Pod = KubeObject & { spec: { nodeName?: string }; status: { conditions?: { type: string; status: string }[] } };
type VMI = KubeObject & { status: { phase?: string; nodeName?: string; conditions?: { type: string; status: string }[] } };

const binding = (name: string, node: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1", kind: "Binding", metadata: { name }, target: { kind: "Node", name: node }, ...extra,
});

describe("POST pods/{name}/binding", () => {
  it("binds with 201 and a Status Success, in exactly one event; a second bind is upstream's 409", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
    const before = await collectionStub(env, "/pods").resourceVersion();
    const res = await api("POST", `/api/v1/namespaces/${ns}/pods/web/binding`, binding("web", "host-1"));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
    const events = await collectionStub(env, "/pods").readEvents(before, 10);
    expect(events.map((e) => e.type)).toEqual(["MODIFIED"]);
    const got = (await api<Pod>("GET", `/api/v1/namespaces/${ns}/pods/web`)).body;
    expect(got.spec.nodeName).toBe("host-1");
    expect(got.status.conditions).toEqual([expect.objectContaining({ type: "PodScheduled", status: "True" })]);
    expect(got.metadata.resourceVersion).toBe(String(events[0]?.rv));

    const again = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods/web/binding`, binding("web", "host-2"));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      kind: "Status", code: 409, reason: "Conflict",
      message: 'Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "host-1"',
    });
  });

  it("answers bad bodies with 400 or 422 Status, never a partial write", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("p"));
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods/p/binding`, body, headers);
    const cases: [unknown, number, string][] = [
      ["{not json", 400, "not valid JSON"],
      [[1, 2], 400, "must be a JSON object"],
      [{ ...binding("p", "h"), kind: "Pod" }, 400, "not a Binding object"],
      [{ ...binding("p", "h"), apiVersion: "apps/v1" }, 400, "does not match the expected API version"],
      [binding("other", "h"), 400, "name in URL does not match name in Binding object"],
      [{ ...binding("p", "h"), metadata: { name: "p", namespace: "elsewhere" } }, 400, "namespace of the provided object does not match"],
      [{ ...binding("p", "h"), target: "h" }, 400, "target must be a JSON object"],
      [{ ...binding("p", "h"), target: { kind: "Pod", name: "h" } }, 422, 'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"'],
      [{ ...binding("p", "h"), target: {} }, 422, "target.name: Required value"],
      [binding("p", "Not_A_Node"), 422, 'target.name: Invalid value: "Not_A_Node"'],
      [{ ...binding("p", "h"), metadata: { name: "p", uid: "not-the-uid" } }, 409, "Precondition failed: UID in precondition: not-the-uid"],
    ];
    for (const [body, code, text] of cases) {
      const res = await post(body);
      expect([res.status, res.body.kind, res.body.code], JSON.stringify(body)).toEqual([code, "Status", code]);
      expect(res.body.message).toContain(text);
    }
    expect((await post(binding("p", "h"), { "content-type": "application/xml" })).status).toBe(415);
    expect((await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods/missing/binding`, binding("missing", "h"))).status).toBe(404);
    expect((await api<StatusBody>("GET", `/api/v1/namespaces/${ns}/pods/p/binding`)).status).toBe(405);
    const dry = await api("POST", `/api/v1/namespaces/${ns}/pods/p/binding?dryRun=All`, binding("p", "h"));
    expect(dry.status).toBe(201);
    expect((await api<Pod>("GET", `/api/v1/namespaces/${ns}/pods/p`)).body.spec.nodeName).toBeUndefined();
  });

  it("refuses a pod that is being deleted", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("held", { metadata: { name: "held", finalizers: ["test/hold"] } }));
    await api("DELETE", `/api/v1/namespaces/${ns}/pods/held`);
    const res = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods/held/binding`, binding("held", "h"));
    expect([res.status, res.body.message]).toEqual([409, 'Operation cannot be fulfilled on pods/binding "held": pod held is being deleted, cannot be assigned to a host']);
  });
});

describe("bind of a VMI", () => {
  it("sets nodeName, the nodeName label, Scheduled and the host finalizer in one event; agents find it by label", async () => {
    const ns = await namespace();
    const vmi = { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: "vm" }, spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } } };
    expect((await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, vmi)).status).toBe(201);
    const ref = { resource: "kubevirt.io/virtualmachineinstances", namespace: ns, name: "vm" };
    const before = await collectionStub(env, ref.resource).resourceVersion();
    await writeObject(env, ref, { verb: "bind", node: "host-1" });
    expect((await collectionStub(env, ref.resource).readEvents(before, 10)).map((e) => e.type)).toEqual(["MODIFIED"]);
    const list = await api<{ items: VMI[] }>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances?labelSelector=kubevirt.io%2FnodeName%3Dhost-1`);
    const got = list.body.items[0];
    expect(got?.status).toMatchObject({ phase: "Scheduled", nodeName: "host-1" });
    expect(got?.metadata.finalizers).toContain("kubevirt.io/foregroundDeleteVirtualMachine");
    // Binding again to the same node changes nothing; to another node is a conflict.
    const same = await writeObject(env, ref, { verb: "bind", node: "host-1" });
    expect(same.changed).toBe(false);
    await expect(writeObject(env, ref, { verb: "bind", node: "host-2" })).rejects.toMatchObject({ code: 409 });
  });
});
