/**
 * NodeRestriction (invariant 7): a host's token reads only the pods and VMIs
 * bound to its Node, through the selectors that name it, updates only its
 * own Node, and writes nothing else.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { JoinResponse } from "../shared/hosts/join";
import type { KubeObject } from "../shared/k8s/object";
import { api, pod, type StatusBody } from "./helpers";
import { writeObject } from "../workers/objects/client";
import { asNode, join, joinNode, joinToken, twoNodesWithPods } from "./hosts-helpers";

const unique = (p: string): string => `${p}-${crypto.randomUUID().slice(0, 8)}`;

let me: JoinResponse;
let other: JoinResponse;
let ns: string;
let mine: KubeObject;
let theirs: KubeObject;

beforeAll(async () => {
  ({ me, other, ns, mine, theirs } = await twoNodesWithPods("me", ["c"]));
});

describe("a node's token", () => {
  it("lists and watches pods only with its own spec.nodeName selector", async () => {
    const list = await asNode<{ items: KubeObject[] }>(me.token, "GET", `/api/v1/pods?fieldSelector=spec.nodeName%3D${me.nodeName}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((i) => i.metadata.name)).toEqual([mine.metadata.name]);
    for (const q of ["", `?fieldSelector=spec.nodeName%3D${other.nodeName}`, `?labelSelector=a%3Db`]) {
      const res = await asNode(me.token, "GET", `/api/v1/pods${q}`);
      expect(res.status).toBe(403);
      expect((res.body as unknown as StatusBody).message).toMatch(new RegExp(`User "system:node:${me.nodeName}" cannot list`));
    }
    expect((await asNode(me.token, "GET", `/api/v1/namespaces/${ns}/pods?watch=true`)).status).toBe(403);
  });

  it("lists VMIs only with its own kubevirt.io/nodeName label selector", async () => {
    const path = "/apis/kubevirt.io/v1/virtualmachineinstances";
    expect((await asNode(me.token, "GET", `${path}?labelSelector=kubevirt.io%2FnodeName%3D${me.nodeName}`)).status).toBe(200);
    expect((await asNode(me.token, "GET", path)).status).toBe(403);
    expect((await asNode(me.token, "GET", `${path}?labelSelector=kubevirt.io%2FnodeName%3D${other.nodeName}`)).status).toBe(403);
  });

  it("gets a pod only when it is bound to its node", async () => {
    expect((await asNode(me.token, "GET", `/api/v1/namespaces/${ns}/pods/${mine.metadata.name ?? ""}`)).status).toBe(200);
    const denied = await asNode(me.token, "GET", `/api/v1/namespaces/${ns}/pods/${theirs.metadata.name ?? ""}`);
    expect(denied.status).toBe(403);
    expect((denied.body as unknown as StatusBody).message).toMatch(/not bound to node/);
  });

  it("reads a named object with ?watch=true as the GET it is served as: only what is bound to it", async () => {
    // A GET of a name is served as a GET whatever `watch` says (as upstream does): it is checked as one.
    const podPath = (name: string | undefined) => `/api/v1/namespaces/${ns}/pods/${name ?? ""}?watch=true&fieldSelector=spec.nodeName%3D${me.nodeName}`;
    const own = await asNode<KubeObject>(me.token, "GET", podPath(mine.metadata.name));
    expect(own.status).toBe(200);
    expect(own.body.metadata.uid).toBe(mine.metadata.uid);
    const pod = await asNode(me.token, "GET", podPath(theirs.metadata.name));
    expect(pod.status).toBe(403);
    expect((pod.body as unknown as StatusBody).message).toMatch(/cannot get resource "pods".*not bound to node/);
    expect(JSON.stringify(pod.body)).not.toContain(theirs.metadata.uid ?? "-");

    const vmis = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;
    const vmiName = unique("vmi");
    await api("POST", vmis, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: vmiName },
      spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } },
    });
    await writeObject(env, { resource: "kubevirt.io/virtualmachineinstances", namespace: ns, name: vmiName }, { verb: "bind", node: other.nodeName });
    const vmi = await asNode(me.token, "GET", `${vmis}/${vmiName}?watch=true&labelSelector=kubevirt.io%2FnodeName%3D${me.nodeName}`);
    expect(vmi.status).toBe(403);
    expect((vmi.body as unknown as StatusBody).message).toMatch(/not bound to node/);

    const node = await asNode(me.token, "GET", `/api/v1/nodes/${other.nodeName}?watch=true&fieldSelector=metadata.name%3D${me.nodeName}`);
    expect(node.status).toBe(403);
    expect((node.body as unknown as StatusBody).message).toMatch(/cannot get resource "nodes"/);
  });

  it("writes no pods, VMIs, namespaces or other Nodes", async () => {
    const attempts: [string, string, unknown?][] = [
      ["POST", `/api/v1/namespaces/${ns}/pods`, pod("sneaky")],
      ["DELETE", `/api/v1/namespaces/${ns}/pods/${mine.metadata.name ?? ""}`],
      ["PATCH", `/api/v1/namespaces/${ns}/pods/${mine.metadata.name ?? ""}/status`, { status: { phase: "Failed" } }],
      ["GET", `/api/v1/namespaces`],
      ["GET", `/api/v1/nodes/${other.nodeName}`],
      ["PATCH", `/api/v1/nodes/${other.nodeName}`, { metadata: { labels: { x: "y" } } }],
      ["GET", `/api/v1/nodes`],
      ["POST", "/apis/hosts.duraplane.io/v1/jointokens", {}],
      ["POST", `/apis/hosts.duraplane.io/v1/nodes/${other.nodeName}/rotate`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await asNode(me.token, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    const still = await api<KubeObject & { status: { phase: string } }>("GET", `/api/v1/namespaces/${ns}/pods/${mine.metadata.name ?? ""}`);
    expect(still.body.status.phase).toBe("Pending");
  });

  it("reads and updates its own Node, and rotates its own secret", async () => {
    const own = `/api/v1/nodes/${me.nodeName}`;
    expect((await asNode(me.token, "GET", own)).status).toBe(200);
    expect((await asNode(me.token, "GET", `/api/v1/nodes?fieldSelector=metadata.name%3D${me.nodeName}`)).status).toBe(200);
    const patched = await asNode(me.token, "PATCH", own, { metadata: { labels: { "example.com/zone": "a" } } });
    expect(patched.status).toBe(200);
    expect((await asNode(me.token, "POST", `/apis/hosts.duraplane.io/v1/nodes/${me.nodeName}/rotate`)).status).toBe(200);
    expect((await asNode(me.token, "GET", "/api/v1")).status).toBe(200);
  });
});

describe("a node writing its own Node (upstream's NodeRestriction admission)", () => {
  const MERGE = { "content-type": "application/merge-patch+json" };
  const message = (body: unknown): string => (body as StatusBody).message;

  it("may not add, change or remove its taints, by PATCH or PUT", async () => {
    const own = `/api/v1/nodes/${me.nodeName}`;
    const taint = { key: "dedicated", value: "db", effect: "NoSchedule" };
    expect((await api("PATCH", own, { spec: { taints: [taint] } }, MERGE)).status).toBe(200);
    const refusal = `nodes "${me.nodeName}" is forbidden: node "${me.nodeName}" is not allowed to modify taints`;
    for (const taints of [null, [], [{ ...taint, value: "web" }], [taint, { key: "more", effect: "NoExecute" }]]) {
      const res = await asNode(me.token, "PATCH", own, { spec: { taints } });
      expect(res.status, JSON.stringify(taints)).toBe(403);
      expect(res.body).toMatchObject({ reason: "Forbidden", message: refusal, details: { name: me.nodeName, kind: "nodes" } });
    }
    const current = (await asNode<KubeObject & { spec: Record<string, unknown> }>(me.token, "GET", own)).body;
    const put = await asNode(me.token, "PUT", own, { ...current, spec: { ...current.spec, taints: [] } });
    expect(put.status).toBe(403);
    expect(message(put.body)).toBe(refusal);
    expect((await api<{ spec: { taints?: unknown[] } }>("GET", own)).body.spec.taints).toEqual([taint]);
    // What it may write still goes through, the taints untouched.
    expect((await asNode(me.token, "PATCH", own, { metadata: { annotations: { "example.com/note": "x" } } })).status).toBe(200);
  });

  it("may not touch node-restriction.kubernetes.io labels nor kubernetes.io / k8s.io labels outside the kubelet's own", async () => {
    const own = `/api/v1/nodes/${me.nodeName}`;
    const res = await asNode(me.token, "PATCH", own, {
      metadata: { labels: { "node-role.kubernetes.io/control-plane": "", "node-restriction.kubernetes.io/pool": "gold", "example.com/fine": "1" } },
    });
    expect(res.status).toBe(403);
    expect(message(res.body)).toBe(`nodes "${me.nodeName}" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pool, node-role.kubernetes.io/control-plane`);
    for (const key of ["kubernetes.io/role", "k8s.io/x", "sub.k8s.io/x", "example.node-restriction.kubernetes.io/x"]) {
      const one = await asNode(me.token, "PATCH", own, { metadata: { labels: { [key]: "v" } } });
      expect(one.status, key).toBe(403);
    }
    // An admin's label in those domains cannot be removed or changed by the node either.
    expect((await api("PATCH", own, { metadata: { labels: { "node-restriction.kubernetes.io/pool": "gold" } } }, MERGE)).status).toBe(200);
    expect((await asNode(me.token, "PATCH", own, { metadata: { labels: { "node-restriction.kubernetes.io/pool": null } } })).status).toBe(403);
    const kubelet = {
      "kubernetes.io/hostname": me.nodeName, "kubernetes.io/arch": "arm64", "topology.kubernetes.io/zone": "z1",
      "node.kubernetes.io/instance-type": "m1", "beta.kubernetes.io/os": "linux", "x.kubelet.kubernetes.io/y": "1", "x.node.kubernetes.io/y": "1",
    };
    const ok = await asNode<KubeObject>(me.token, "PATCH", own, { metadata: { labels: kubelet } });
    expect(ok.status).toBe(200);
    expect(ok.body.metadata.labels).toMatchObject({ ...kubelet, "node-restriction.kubernetes.io/pool": "gold" });
  });

  it("may not join with labels it could not set", async () => {
    const name = unique("labelled");
    const res = await join(await joinToken(), { nodeName: name, labels: { "node-restriction.kubernetes.io/pool": "gold", "kubernetes.io/role": "x" } });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(`nodes "${name}" is forbidden: node "${name}" is not allowed to set the following labels: kubernetes.io/role, node-restriction.kubernetes.io/pool`);
    expect((await api("GET", `/api/v1/nodes/${name}`)).status).toBe(404);
  });
});
