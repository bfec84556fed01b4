/**
 * The host webhook (invariant 7): every call authenticated, fresh and
 * applied at most once; observations applied only to objects bound to the
 * reporting node and only when newer; bad input answered with a Status and
 * nothing applied.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HostReportResult } from "../shared/hosts/report";
import type { KubeObject } from "../shared/k8s/object";
import { api, namespace, pod, type StatusBody } from "./helpers";
import { joinNode, nextSequence, postReport } from "./hosts-helpers";
import { objectStub } from "../workers/objects/client";

const unique = (p: string): string => `${p}-${crypto.randomUUID().slice(0, 8)}`;

async function boundPod(ns: string, node: string, name = unique("p")): Promise<KubeObject> {
  const res = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod(name, { spec: { nodeName: node, containers: [{ name: "c", image: "busybox" }] } }));
  expect(res.status).toBe(201);
  return res.body;
}

async function boundVMI(ns: string, node: string, name = unique("vmi")): Promise<KubeObject> {
  const base = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;
  const created = await api<KubeObject>("POST", base, {
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance",
    metadata: { name, labels: { "kubevirt.io/nodeName": node }, finalizers: ["kubevirt.io/foregroundDeleteVirtualMachine"] },
    // No node matches, so the scheduler leaves it to the test to bind.
    spec: { nodeSelector: { "test.duraplane.io/never": "true" }, domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } },
  });
  expect(created.status).toBe(201);
  const bound = await api<KubeObject>("PATCH", `${base}/${name}/status`, { status: { phase: "Scheduled", nodeName: node } }, { "content-type": "application/merge-patch+json" });
  expect(bound.status).toBe(200);
  return bound.body;
}

const getPod = async (ns: string, name: string) => api<KubeObject & { status?: { phase?: string; podIP?: string } }>("GET", `/api/v1/namespaces/${ns}/pods/${name}`);

function running(p: KubeObject, seq = nextSequence()) {
  return { kind: "Pod" as const, namespace: p.metadata.namespace ?? "", name: p.metadata.name ?? "", uid: p.metadata.uid ?? "", sequence: seq, status: { phase: "Running" as const, podIP: "10.1.0.7" } };
}

describe("signed reports", () => {
  it("applies a heartbeat and an observation from the bound node", async () => {
    const node = unique("node");
    const creds = await joinNode(node);
    const ns = await namespace();
    const p = await boundPod(ns, node);
    const res = await postReport(node, creds.signingSecret, {
      node: { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }], capacity: { cpu: "8", memory: "32Gi", pods: "110" } },
      items: [running(p)],
    });
    expect(res.status).toBe(200);
    const result = res.body as unknown as HostReportResult;
    expect(result.node?.result).toBe("Applied");
    expect(result.items.map((i) => i.result)).toEqual(["Applied"]);
    const got = await getPod(ns, p.metadata.name ?? "");
    expect(got.body.status?.phase).toBe("Running");
    expect(got.body.status?.podIP).toBe("10.1.0.7");
    // Recorded in managedFields as upstream's kubelet records its status writes.
    expect(got.body.metadata.managedFields).toContainEqual(expect.objectContaining({ manager: "kubelet", operation: "Update", subresource: "status" }));
    expect(Number(got.body.metadata.resourceVersion)).toBeGreaterThan(Number(p.metadata.resourceVersion));
    const n = await api<{ status: { conditions: { type: string; status: string; lastHeartbeatTime: string }[] } }>("GET", `/api/v1/nodes/${node}`);
    const ready = n.body.status.conditions.find((c) => c.type === "Ready");
    expect(ready?.status).toBe("True");
    expect(Date.parse(ready?.lastHeartbeatTime ?? "")).toBeGreaterThan(Date.now() - 5000);
  });

  it("renews a heartbeat that changes nothing without writing the Node, and writes the one that does", async () => {
    const node = unique("node");
    const creds = await joinNode(node);
    const beat = { conditions: [{ type: "Ready", status: "True" as const, reason: "KubeletReady" }], capacity: { cpu: "8", memory: "32Gi", pods: "110" } };
    expect((await postReport(node, creds.signingSecret, { node: beat, items: [] })).status).toBe(200);
    const ref = { resource: "/nodes", namespace: "", name: node };
    const first = await api<KubeObject>("GET", `/api/v1/nodes/${node}`);
    const seenFirst = (await objectStub(env, ref).fact("heartbeatSeenAt")) ?? 0;
    await new Promise((r) => setTimeout(r, 20));

    const same = await postReport(node, creds.signingSecret, { node: beat, items: [] });
    expect((same.body as unknown as HostReportResult).node).toMatchObject({ result: "Applied", resourceVersion: first.body.metadata.resourceVersion });
    const unchanged = await api<KubeObject>("GET", `/api/v1/nodes/${node}`);
    expect(unchanged.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    expect((await objectStub(env, ref).fact("heartbeatSeenAt")) ?? 0).toBeGreaterThan(seenFirst);

    const pressure = { ...beat, conditions: [...beat.conditions, { type: "MemoryPressure", status: "True" as const, reason: "KubeletHasInsufficientMemory" }] };
    const changed = await postReport(node, creds.signingSecret, { node: pressure, items: [] });
    expect((changed.body as unknown as HostReportResult).node?.result).toBe("Applied");
    const written = await api<{ metadata: { resourceVersion: string }; status: { conditions: { type: string; status: string }[] } }>("GET", `/api/v1/nodes/${node}`);
    expect(Number(written.body.metadata.resourceVersion)).toBeGreaterThan(Number(first.body.metadata.resourceVersion));
    expect(written.body.status.conditions.find((c) => c.type === "MemoryPressure")?.status).toBe("True");
  });

  const refusals: [string, (ctx: { node: string; secret: string; other: string }) => Parameters<typeof postReport>, number, RegExp][] = [
    ["a bad signature", ({ node, secret }) => [node, secret, "{}", { headers: { "webhook-signature": "v1,AAAA" } }], 401, /no signature/],
    ["another node's secret", ({ node, other }) => [node, other, "{}"], 401, /no signature/],
    ["a timestamp 6 minutes old", ({ node, secret }) => [node, secret, "{}", { timestamp: Math.floor(Date.now() / 1000) - 360 }], 401, /in the past/],
    ["a timestamp 6 minutes ahead", ({ node, secret }) => [node, secret, "{}", { timestamp: Math.floor(Date.now() / 1000) + 360 }], 401, /in the future/],
    ["a non-numeric timestamp", ({ node, secret }) => [node, secret, "{}", { headers: { "webhook-timestamp": "yesterday" } }], 400, /whole seconds/],
    ["no signature header", ({ node, secret }) => [node, secret, "{}", { headers: { "webhook-signature": "" } }], 400, /missing webhook-signature/],
    ["an unknown signature version only", ({ node, secret }) => [node, secret, "{}", { headers: { "webhook-signature": "v2,AAAA" } }], 401, /no signature/],
  ];
  for (const [what, args, code, message] of refusals) {
    it(`refuses ${what} with ${code} and applies nothing`, async () => {
      const node = unique("node");
      const creds = await joinNode(node);
      const other = await joinNode(unique("other"));
      const ns = await namespace();
      const p = await boundPod(ns, node);
      const [n, s, , opts] = args({ node, secret: creds.signingSecret, other: other.signingSecret });
      const res = await postReport(n, s, { items: [running(p)] }, opts);
      expect(res.status).toBe(code);
      const status = res.body as unknown as StatusBody;
      expect(status.kind).toBe("Status");
      expect(status.message).toMatch(message);
      const after = await getPod(ns, p.metadata.name ?? "");
      expect(after.body.metadata.resourceVersion).toBe(p.metadata.resourceVersion);
    });
  }

  it("refuses a call signed by node A sent to node B's webhook", async () => {
    const a = await joinNode(unique("a"));
    const bName = unique("b");
    await joinNode(bName);
    const res = await postReport(bName, a.signingSecret, { items: [] });
    expect(res.status).toBe(401);
  });

  it("acknowledges a replayed webhook-id with the first answer and applies it once", async () => {
    const node = unique("node");
    const creds = await joinNode(node);
    const ns = await namespace();
    const p = await boundPod(ns, node);
    const id = `msg_${crypto.randomUUID()}`;
    const first = await postReport(node, creds.signingSecret, { items: [running(p)] }, { id });
    expect(first.status).toBe(200);
    const rv = (await getPod(ns, p.metadata.name ?? "")).body.metadata.resourceVersion;
    // The same id again, even re-signed with a new timestamp and another body, is a replay.
    const again = await postReport(node, creds.signingSecret, { items: [{ ...running(p), status: { phase: "Failed" } }] }, { id });
    expect(again.status).toBe(200);
    expect((again.body as unknown as HostReportResult).replayed).toBe(true);
    expect((again.body as unknown as HostReportResult).items).toEqual((first.body as unknown as HostReportResult).items);
    const after = await getPod(ns, p.metadata.name ?? "");
    expect(after.body.metadata.resourceVersion).toBe(rv);
    expect(after.body.status?.phase).toBe("Running");
  });

  it("ignores an observation older than the last applied one", async () => {
    const node = unique("node");
    const creds = await joinNode(node);
    const ns = await namespace();
    const p = await boundPod(ns, node);
    const older = nextSequence();
    const newer = nextSequence();
    expect((await postReport(node, creds.signingSecret, { items: [running(p, newer)] })).status).toBe(200);
    const late = await postReport(node, creds.signingSecret, { items: [{ ...running(p, older), status: { phase: "Pending" } }] });
    expect((late.body as unknown as HostReportResult).items[0]?.result).toBe("Stale");
    const same = await postReport(node, creds.signingSecret, { items: [{ ...running(p, newer), status: { phase: "Failed" } }] });
    expect((same.body as unknown as HostReportResult).items[0]?.result).toBe("Stale");
    expect((await getPod(ns, p.metadata.name ?? "")).body.status?.phase).toBe("Running");
  });

  it("keeps the fence where no user can move it: a huge observed-sequence annotation blocks nothing", async () => {
    const node = unique("node");
    const creds = await joinNode(node);
    const ns = await namespace();
    const p = await boundPod(ns, node);
    const annotation = "hosts.duraplane.io/observed-sequence";
    const path = `/api/v1/namespaces/${ns}/pods/${p.metadata.name ?? ""}`;
    const set = await api("PATCH", path, { metadata: { annotations: { [annotation]: "9007199254740991" } } }, { "content-type": "application/merge-patch+json" });
    expect(set.status).toBe(200);
    const res = await postReport(node, creds.signingSecret, { items: [running(p)] });
    expect((res.body as unknown as HostReportResult).items[0]?.result).toBe("Applied");
    const got = await getPod(ns, p.metadata.name ?? "");
    expect(got.body.status?.phase).toBe("Running");
    // The fence is not in the object: the old annotation is gone, and none replaces it.
    expect(got.body.metadata.annotations?.[annotation]).toBeUndefined();
    const next = await postReport(node, creds.signingSecret, { items: [{ ...running(p), status: { phase: "Succeeded" } }] });
    expect((next.body as unknown as HostReportResult).items[0]?.result).toBe("Applied");
    expect((await getPod(ns, p.metadata.name ?? "")).body.status?.phase).toBe("Succeeded");
  });

  it("answers a partial batch per item: unbound, other node's, unknown and wrong-uid objects are refused, the rest applied", async () => {
    const node = unique("node");
    const otherNode = unique("other");
    const creds = await joinNode(node);
    await joinNode(otherNode);
    const ns = await namespace();
    const mine = await boundPod(ns, node);
    const theirs = await boundPod(ns, otherNode);
    // Another scheduler's pod: ours never binds it.
    const unbound = (await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod(unique("u"), { spec: { schedulerName: "other-scheduler", containers: [{ name: "c", image: "busybox" }] } }))).body;
    const vmi = await boundVMI(ns, otherNode);
    const res = await postReport(node, creds.signingSecret, {
      items: [
        running(mine), running(theirs), running(unbound),
        { ...running(mine), name: "no-such-pod" },
        { ...running(mine), uid: "another-uid" },
        { kind: "VirtualMachineInstance", namespace: ns, name: vmi.metadata.name ?? "", uid: vmi.metadata.uid ?? "", sequence: nextSequence(), status: { phase: "Running" } },
      ],
    });
    expect(res.status).toBe(200);
    const items = (res.body as unknown as HostReportResult).items;
    expect(items.map((i) => [i.result, i.code])).toEqual([
      ["Applied", 200], ["Refused", 403], ["Refused", 403], ["NotFound", 404], ["NotFound", 404], ["Refused", 403],
    ]);
    expect(items[1]?.message).toMatch(/bound to node/);
    expect((await getPod(ns, theirs.metadata.name ?? "")).body.status?.phase).toBe("Pending");
    expect((await getPod(ns, unbound.metadata.name ?? "")).body.status?.phase).toBe("Pending");
  });

  it("answers malformed and oversized bodies with 400 and 413", async () => {
    const node = unique("node");
    const creds = await joinNode(node);
    const notJson = await postReport(node, creds.signingSecret, "{not json");
    expect(notJson.status).toBe(400);
    expect((notJson.body as unknown as StatusBody).message).toMatch(/not JSON/);
    const badShape = await postReport(node, creds.signingSecret, { items: [{ kind: "Pod", name: "x" }] } as never);
    expect(badShape.status).toBe(400);
    expect((badShape.body as unknown as StatusBody).message).toMatch(/malformed: items\.0\./);
    const unknownField = await postReport(node, creds.signingSecret, JSON.stringify({ items: [], extra: 1 }));
    expect(unknownField.status).toBe(400);
    const huge = await postReport(node, creds.signingSecret, JSON.stringify({ items: [], pad: "x".repeat(1024 * 1024 + 10) }));
    expect(huge.status).toBe(413);
    expect((huge.body as unknown as StatusBody).reason).toBe("RequestEntityTooLarge");
  });

  it("answers an invalid status per item with 422 and leaves the object as it was", async () => {
    const node = unique("node");
    const creds = await joinNode(node);
    const ns = await namespace();
    const p = await boundPod(ns, node);
    const res = await postReport(node, creds.signingSecret, { items: [{ ...running(p), status: { podIP: "not-an-ip", phase: "Running", conditions: [{ type: 7 }] } }] });
    expect(res.status).toBe(200);
    const item = (res.body as unknown as HostReportResult).items[0];
    expect(item?.result).toBe("Invalid");
    expect((await getPod(ns, p.metadata.name ?? "")).body.metadata.resourceVersion).toBe(p.metadata.resourceVersion);
  });
});

describe("signing secret rotation and revocation", () => {
  it("accepts the old and the new secret during a rotation, and nothing after revocation", async () => {
    const node = unique("node");
    const creds = await joinNode(node);
    const rotated = await api<{ signingSecret: string; previousValidUntil: string }>("POST", `/apis/hosts.duraplane.io/v1/nodes/${node}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.signingSecret).not.toBe(creds.signingSecret);
    expect(Date.parse(rotated.body.previousValidUntil)).toBeGreaterThan(Date.now());
    expect((await postReport(node, creds.signingSecret, { items: [] })).status).toBe(200);
    expect((await postReport(node, rotated.body.signingSecret, { items: [] })).status).toBe(200);
    // Both signatures in one header, as the spec allows during rotation.
    expect((await postReport(node, "", { items: [] }, { secrets: [creds.signingSecret, rotated.body.signingSecret] })).status).toBe(200);
    const revoked = await api("POST", `/apis/hosts.duraplane.io/v1/nodes/${node}/revoke`);
    expect(revoked.status).toBe(200);
    // The per-isolate secrets cache is dropped on revocation in this isolate.
    expect((await postReport(node, rotated.body.signingSecret, { items: [] })).status).toBe(401);
    expect((await postReport(node, creds.signingSecret, { items: [] })).status).toBe(401);
    const tokenGone = await api("GET", `/api/v1/nodes/${node}`, undefined, { authorization: `Bearer ${creds.token}` });
    expect(tokenGone.status).toBe(401);
  });

  it("keeps signing secrets encrypted and tokens hashed in D1", async () => {
    const node = unique("node");
    const creds = await joinNode(node);
    const secrets = await env.DB.prepare("SELECT ciphertext FROM node_secrets WHERE node_name = ?").bind(node).all<{ ciphertext: string }>();
    expect(secrets.results).toHaveLength(1);
    const key = creds.signingSecret.replace("whsec_", "");
    for (const row of secrets.results) expect(row.ciphertext).not.toContain(key);
    const dump = JSON.stringify((await env.DB.prepare("SELECT * FROM tokens WHERE node_name = ?").bind(node).all()).results);
    expect(dump).not.toContain(creds.token);
    expect(dump).toContain(`system:node:${node}`);
  });
});

describe("deletion through the host", () => {
  it("keeps a deleting bound pod until its host reports it stopped", async () => {
    const node = unique("node");
    const creds = await joinNode(node);
    const ns = await namespace();
    const p = await boundPod(ns, node);
    await postReport(node, creds.signingSecret, { items: [running(p)] });
    const del = await api("DELETE", `/api/v1/namespaces/${ns}/pods/${p.metadata.name ?? ""}`);
    expect(del.status).toBe(200);
    const held = await getPod(ns, p.metadata.name ?? "");
    expect(held.status).toBe(200);
    expect(held.body.metadata.deletionTimestamp).toBeDefined();
    const stopped = await postReport(node, creds.signingSecret, { items: [{ ...running(p), status: { phase: "Succeeded" }, stopped: true }] });
    expect((stopped.body as unknown as HostReportResult).items[0]?.result).toBe("Applied");
    expect((await getPod(ns, p.metadata.name ?? "")).status).toBe(404);
  });

  it("keeps a deleting bound VMI (finalizer) until its host reports it stopped", async () => {
    const node = unique("node");
    const creds = await joinNode(node);
    const ns = await namespace();
    const vmi = await boundVMI(ns, node);
    const path = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${vmi.metadata.name ?? ""}`;
    expect((await api("DELETE", path)).status).toBe(200);
    const held = await api<KubeObject>("GET", path);
    expect(held.status).toBe(200);
    expect(held.body.metadata.deletionTimestamp).toBeDefined();
    const item = { kind: "VirtualMachineInstance" as const, namespace: ns, name: vmi.metadata.name ?? "", uid: vmi.metadata.uid ?? "", sequence: nextSequence(), status: { phase: "Succeeded" as const }, stopped: true };
    const res = await postReport(node, creds.signingSecret, { items: [item] });
    expect((res.body as unknown as HostReportResult).items[0]?.result).toBe("Applied");
    expect((await api("GET", path)).status).toBe(404);
  });
});
