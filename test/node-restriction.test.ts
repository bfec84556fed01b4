/**
 * NodeRestriction (invariant 7): a host's token reads only the pods and VMIs
 * bound to its Node, through the selectors that name it, updates only its
 * own Node, and writes nothing else.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { JoinResponse } from "../shared/hosts/join";
import type { KubeObject } from "../shared/k8s/object";
import { api, namespace, pod, type StatusBody } from "./helpers";
import { writeObject } from "../workers/objects/client";
import { asNode, joinNode } from "./hosts-helpers";

const unique = (p: string): string => `${p}-${crypto.randomUUID().slice(0, 8)}`;

let me: JoinResponse;
let other: JoinResponse;
let ns: string;
let mine: KubeObject;
let theirs: KubeObject;

beforeAll(async () => {
  me = await joinNode(unique("me"));
  other = await joinNode(unique("other"));
  ns = await namespace();
  const mk = async (node: string) => (await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod(unique("p"), { spec: { nodeName: node, containers: [{ name: "c", image: "busybox" }] } }))).body;
  mine = await mk(me.nodeName);
  theirs = await mk(other.nodeName);
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
