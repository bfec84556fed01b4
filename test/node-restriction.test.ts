/**
 * NodeRestriction (invariant 7): a host's token reads only the pods and VMIs
 * bound to its Node, through the selectors that name it, updates only its
 * own Node, and writes nothing else.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { JoinResponse } from "../shared/hosts/join";
import type { KubeObject } from "../shared/k8s/object";
import { api, namespace, pod, type StatusBody } from "./helpers";
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
