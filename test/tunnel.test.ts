/**
 * The node tunnel: only the node's own credential opens it, a second tunnel
 * from another credential is refused and one from the same credential
 * replaces the first; streams go only through the tunnel of the node the
 * pod is bound to (NodeRestriction) and reach the agent's side as validated
 * open frames; refusals before the upgrade are Statuses.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { JoinResponse } from "../shared/hosts/join";
import type { KubeObject } from "../shared/k8s/object";
import type { OpenFrame } from "../shared/tunnel/frames";
import { Mux, type MuxStream } from "../shared/tunnel/mux";
import { createToken } from "../workers/api/auth";
import { writeObject } from "../workers/objects/client";
import { type NodeTunnel, TUNNEL_CREDENTIAL_HEADER, TUNNEL_NODE_HEADER } from "../workers/tunnel/node-tunnel";
import { api, send, TOKEN, type StatusBody } from "./helpers";
import { asNode, joinNode, twoNodesWithPods } from "./hosts-helpers";

const unique = (p: string): string => `${p}-${crypto.randomUUID().slice(0, 8)}`;
const tunnelPath = (node: string) => `/apis/hosts.duraplane.io/v1/nodes/${node}/tunnel`;

function upgrade(path: string, token: string, protocols?: string): Promise<Response> {
  return send(new Request(`https://duraplane.test${path}`, {
    headers: { upgrade: "websocket", authorization: `Bearer ${token}`, ...(protocols ? { "sec-websocket-protocol": protocols } : {}) },
  }));
}

/** A fake agent on the far end of a tunnel: records opens and answers them with `serve`. */
interface FakeAgent {
  ws: WebSocket;
  opens: OpenFrame[];
  closed: Promise<number>;
}

async function connectAgent(node: string, token: string, serve: (open: OpenFrame, stream: MuxStream, mux: Mux) => void): Promise<FakeAgent> {
  const res = await upgrade(tunnelPath(node), token);
  expect(res.status).toBe(101);
  const ws = res.webSocket;
  if (!ws) throw new Error("no socket");
  ws.binaryType = "arraybuffer";
  ws.accept();
  const opens: OpenFrame[] = [];
  const mux: Mux = new Mux({ sendText: (t) => ws.send(t), sendBinary: (b) => ws.send(b) }, {}, {
    onOpen: (open, stream) => {
      opens.push(open);
      serve(open, stream, mux);
    },
  });
  ws.addEventListener("message", (e) => mux.receive(typeof e.data === "string" ? e.data : new Uint8Array(e.data)));
  const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
  return { ws, opens, closed };
}

const text = (s: string) => new TextEncoder().encode(s);

/** Answers a log open with two lines and ends; an unknown uid is refused as the agent would. */
function logServer(open: OpenFrame, stream: MuxStream, mux: Mux): void {
  if (open.target.container === "missing-on-host") {
    stream.reset({ code: 400, reason: "BadRequest", message: `previous terminated container "${open.target.container}" in pod "${open.target.name}" not found` });
    return;
  }
  mux.accept(stream);
  stream.write(1, text(`hello from ${open.target.name}/${open.target.container ?? ""}\n`));
  stream.close();
}

let me: JoinResponse;
let other: JoinResponse;
let ns: string;
let mine: KubeObject;
let theirs: KubeObject;

beforeAll(async () => {
  ({ me, other, ns, mine, theirs } = await twoNodesWithPods("tun", ["c", "missing-on-host"]));
});

describe("the node tunnel", () => {
  it("opens only with the node's own token", async () => {
    const byOther = await upgrade(tunnelPath(me.nodeName), other.token);
    expect(byOther.status).toBe(403);
    expect(((await byOther.json()) as StatusBody).message).toMatch(/may only rotate its own signing secret and open its own tunnel/);
    const byAdmin = await upgrade(tunnelPath(me.nodeName), TOKEN);
    expect(byAdmin.status).toBe(403);
    expect(((await byAdmin.json()) as StatusBody).message).toMatch(/only that node's own credential may/);
    expect((await asNode(me.token, "GET", tunnelPath(me.nodeName))).status).toBe(400); // not an upgrade
  });

  it("refuses a second tunnel from another credential and lets the same credential replace its own", async () => {
    const first = await connectAgent(me.nodeName, me.token, logServer);
    // One live token per node exists at a time, so another credential is put to the tunnel directly.
    const second = await env.NODE_TUNNELS.getByName(me.nodeName).fetch("https://tunnel/connect", {
      headers: { upgrade: "websocket", [TUNNEL_CREDENTIAL_HEADER]: "another", [TUNNEL_NODE_HEADER]: me.nodeName },
    });
    expect(second.status).toBe(409);
    expect(((await second.json()) as StatusBody).message).toMatch(/already has a tunnel open with another credential/);
    const again = await connectAgent(me.nodeName, me.token, logServer);
    expect(await first.closed).toBe(4000);
    // The replacement serves streams.
    const res = await api<string>("GET", `/api/v1/namespaces/${ns}/pods/${mine.metadata.name ?? ""}/log?container=c`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toBe(`hello from ${mine.metadata.name ?? ""}/c\n`);
    expect(again.opens[0]).toMatchObject({ kind: "log", target: { namespace: ns, uid: mine.metadata.uid, container: "c" }, log: { follow: false } });
    again.ws.close(1000, "done");
  });

  it("routes a pod's stream only through the tunnel of the node it is bound to", async () => {
    const agent = await connectAgent(me.nodeName, me.token, logServer);
    const res = await api("GET", `/api/v1/namespaces/${ns}/pods/${theirs.metadata.name ?? ""}/log?container=c`);
    expect(res.status).toBe(503);
    expect((res.body as unknown as StatusBody).message).toMatch(/no tunnel/);
    expect(agent.opens).toEqual([]);
    // A node's token cannot open streams into pods at all, its own included.
    const byNode = await asNode(me.token, "GET", `/api/v1/namespaces/${ns}/pods/${mine.metadata.name ?? ""}/log?container=c`);
    expect(byNode.status).toBe(403);
    agent.ws.close(1000, "done");
  });

  it("answers bad requests with Statuses before anything is opened", async () => {
    const agent = await connectAgent(me.nodeName, me.token, logServer);
    const name = mine.metadata.name ?? "";
    const nope = await api("GET", `/api/v1/namespaces/${ns}/pods/${name}/log?container=nope`);
    expect(nope.status).toBe(400);
    expect((nope.body as unknown as StatusBody).message).toBe(`container nope is not valid for pod ${name}`);
    const none = await api("GET", `/api/v1/namespaces/${ns}/pods/${name}/log`);
    expect((none.body as unknown as StatusBody).message).toBe(`a container name must be specified for pod ${name}, choose one of: [c missing-on-host]`);
    const bad = await api("GET", `/api/v1/namespaces/${ns}/pods/${name}/log?container=c&tailLines=-1&sinceSeconds=0`);
    expect(bad.status).toBe(422);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/absent/log`)).status).toBe(404);
    const refused = await api("GET", `/api/v1/namespaces/${ns}/pods/${name}/log?container=missing-on-host&previous=true`);
    expect(refused.status).toBe(400);
    expect((refused.body as unknown as StatusBody).message).toMatch(/previous terminated container "missing-on-host"/);
    const execNoWs = await api("POST", `/api/v1/namespaces/${ns}/pods/${name}/exec?command=ls&stdout=true&container=c`);
    expect(execNoWs.status).toBe(400);
    const execNoCmd = await upgrade(`/api/v1/namespaces/${ns}/pods/${name}/exec?stdout=true&container=c`, TOKEN, "v5.channel.k8s.io");
    expect(((await execNoCmd.json()) as StatusBody).message).toBe("you must specify at least 1 command");
    expect(agent.opens.map((o) => o.target.container)).toEqual(["missing-on-host"]);
    agent.ws.close(1000, "done");
  });

  it("relays exec over remote-command v5 and ends with the exit Status on the error channel", async () => {
    const agent = await connectAgent(me.nodeName, me.token, (open, stream, mux) => {
      mux.accept(stream);
      stream.write(1, text(open.process?.command.join(" ") ?? ""));
      stream.close({ code: 500, reason: "NonZeroExitCode", message: "exit 3", exitCode: 3 });
    });
    const res = await upgrade(`/api/v1/namespaces/${ns}/pods/${mine.metadata.name ?? ""}/exec?command=sh&command=-c&command=exit%203&stdout=true&stderr=true&container=c`, TOKEN, "v5.channel.k8s.io");
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-protocol")).toBe("v5.channel.k8s.io");
    const ws = res.webSocket;
    if (!ws) throw new Error("no socket");
    const got: Uint8Array[] = [];
    const closed = new Promise<void>((r) => ws.addEventListener("close", () => r()));
    ws.addEventListener("message", (e) => got.push(new Uint8Array(e.data as ArrayBuffer)));
    ws.binaryType = "arraybuffer";
    ws.accept();
    await closed;
    expect(got[0]?.[0]).toBe(1);
    expect(new TextDecoder().decode(got[0]?.subarray(1))).toBe("sh -c exit 3");
    expect(got[1]?.[0]).toBe(3);
    const status = JSON.parse(new TextDecoder().decode(got[1]?.subarray(1))) as { reason: string; details: { causes: { reason: string; message: string }[] } };
    expect(status.reason).toBe("NonZeroExitCode");
    expect(status.details.causes[0]).toEqual({ reason: "ExitCode", message: "3" });
    agent.ws.close(1000, "done");
  });
});

const RBAC = "/apis/rbac.authorization.k8s.io/v1";

async function userWith(ns: string, clusterRole: string | undefined, rules?: unknown[]): Promise<string> {
  const name = unique("u");
  const token = `tok-${crypto.randomUUID()}`;
  await createToken(env, token, { username: name, groups: [] });
  let roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole ?? "" };
  if (rules) {
    const role = unique("r");
    expect((await api("POST", `${RBAC}/namespaces/${ns}/roles`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: role }, rules })).status).toBe(201);
    roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role };
  }
  expect((await api("POST", `${RBAC}/namespaces/${ns}/rolebindings`, {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: unique("b") }, roleRef, subjects: [{ kind: "User", name }],
  })).status).toBe(201);
  return token;
}

describe("revocation", () => {
  it("closes the tunnel of a node whose credentials are revoked", async () => {
    const node = await joinNode(unique("tun-revoked"));
    const agent = await connectAgent(node.nodeName, node.token, logServer);
    expect((await api("POST", `/apis/hosts.duraplane.io/v1/nodes/${node.nodeName}/revoke`)).status).toBe(200);
    expect(await agent.closed).toBe(4001);
    expect(await env.NODE_TUNNELS.getByName(node.nodeName).connected()).toBe(false);
  });
});

describe("limits", () => {
  it("refuses a stream beyond the per-user limit with 429 and Retry-After", async () => {
    const agent = await connectAgent(me.nodeName, me.token, (_open, stream, mux) => mux.accept(stream)); // streams stay open
    await runInDurableObject(env.NODE_TUNNELS.getByName(me.nodeName), (tunnel: NodeTunnel) => {
      (tunnel as unknown as { limits: { perUser: number } }).limits.perUser = 1;
    });
    const path = `/api/v1/namespaces/${ns}/pods/${mine.metadata.name ?? ""}/log?container=c&follow=true`;
    const first = await send(new Request(`https://duraplane.test${path}`, { headers: { authorization: `Bearer ${TOKEN}` } }));
    expect(first.status).toBe(200);
    const second = await api("GET", path);
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("1");
    expect((second.body as unknown as StatusBody).message).toMatch(/user "admin" has 1 streams open/);
    await first.body?.cancel();
    agent.ws.close(1000, "done");
  });
});

describe("idle streams", () => {
  it("closes a stream with no byte either way for the idle timeout, telling the agent why", async () => {
    let agentEnd: unknown = "open";
    const agent = await connectAgent(me.nodeName, me.token, (_open, stream, mux) => {
      mux.accept(stream); // a follow that never writes
      stream.attach({ data: (_c, p) => stream.consumed(p.byteLength), end: (e) => (agentEnd = e) });
    });
    type Internals = { limits: { idleTimeoutMs: number }; idleTimer?: ReturnType<typeof setInterval> };
    const setIdle = (ms: number) => runInDurableObject(env.NODE_TUNNELS.getByName(me.nodeName), (tunnel: NodeTunnel) => {
      const t = tunnel as unknown as Internals;
      t.limits.idleTimeoutMs = ms;
      // The sweep's period follows the timeout it started with: start it afresh.
      clearInterval(t.idleTimer);
      t.idleTimer = undefined;
    });
    await setIdle(300);
    const t0 = Date.now();
    const res = await send(new Request(`https://duraplane.test/api/v1/namespaces/${ns}/pods/${mine.metadata.name ?? ""}/log?container=c&follow=true`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(""); // the body ends: the stream was closed
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(300);
    expect(agentEnd).toEqual({ code: 408, reason: "Timeout", message: "stream idle timeout" });
    await setIdle(4 * 60 * 60 * 1000);
    agent.ws.close(1000, "done");
  });
});

describe("authorization and audit of streams", () => {
  it("decides pods/log as get and exec as get and create, as upstream's roles grant them", async () => {
    const agent = await connectAgent(me.nodeName, me.token, (open, stream, mux) => {
      mux.accept(stream);
      stream.close(open.kind === "exec" ? { code: 500, reason: "NonZeroExitCode", message: "", exitCode: 0 } : undefined);
    });
    const name = mine.metadata.name ?? "";
    const viewer = await userWith(ns, "view");
    const editor = await userWith(ns, "edit");
    const getOnly = await userWith(ns, undefined, [{ apiGroups: [""], resources: ["pods", "pods/exec"], verbs: ["get"] }]);
    const log = (token: string) => send(new Request(`https://duraplane.test/api/v1/namespaces/${ns}/pods/${name}/log?container=c`, { headers: { authorization: `Bearer ${token}` } }));
    const exec = (token: string) => upgrade(`/api/v1/namespaces/${ns}/pods/${name}/exec?command=true&stdout=true&container=c`, token, "v5.channel.k8s.io");
    const viewed = await log(viewer);
    expect(viewed.status, await viewed.clone().text()).toBe(200);
    const viewerExec = await exec(viewer);
    expect(viewerExec.status).toBe(403);
    expect(((await viewerExec.json()) as StatusBody).message).toMatch(/cannot get resource "pods\/exec"/);
    const noCreate = await exec(getOnly);
    expect(noCreate.status).toBe(403);
    expect(((await noCreate.json()) as StatusBody).message).toMatch(/cannot create resource "pods\/exec"/);
    const edited = await exec(editor);
    expect(edited.status, edited.status === 101 ? "" : await edited.text()).toBe(101);
    edited.webSocket?.accept();
    edited.webSocket?.close(1000, "");
    agent.ws.close(1000, "done");
  });

  it("records every stream opened in the audit log, reads included", async () => {
    const agent = await connectAgent(me.nodeName, me.token, logServer);
    const name = mine.metadata.name ?? "";
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/${name}/log?container=c&tailLines=5`)).status).toBe(200);
    const events = await api<{ items: { verb: string; objectRef?: { subresource?: string; name?: string }; responseStatus: { code: number } }[] }>(
      "GET", `/apis/audit.duraplane.io/v1/events?namespace=${ns}`);
    const opened = events.body.items.filter((e) => e.objectRef?.subresource === "log" && e.objectRef.name === name);
    expect(opened.length).toBeGreaterThan(0);
    expect(opened[0]).toMatchObject({ verb: "get", responseStatus: { code: 200 } });
    agent.ws.close(1000, "done");
  });
});

describe("a VMI's guest agent documents", () => {
  it("are the agent's answer as JSON; a VMI without a connected agent, or an answer that is not a bounded JSON object, is refused", async () => {
    const name = unique("vmi");
    const vmis = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;
    const sub = (what: string) => `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${name}/${what}`;
    expect((await api("POST", vmis, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name },
      spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } },
    })).status).toBe(201);
    await writeObject(env, { resource: "kubevirt.io/virtualmachineinstances", namespace: ns, name }, { verb: "bind", node: me.nodeName });
    let answer = JSON.stringify({ metadata: {}, items: [{ userName: "fedora", loginTime: 1700000000.5 }] });
    const agent = await connectAgent(me.nodeName, me.token, (open, stream, mux) => {
      mux.accept(stream);
      stream.write(1, text(answer));
      stream.close();
    });
    const status = (conditions: unknown[]) => api("PATCH", `${vmis}/${name}/status`, { status: { phase: "Running", conditions } }, { "content-type": "application/merge-patch+json" });

    // Running without a connected agent: refused before the host is asked.
    expect((await status([{ type: "AgentConnected", status: "False" }])).status).toBe(200);
    const absent = await api("GET", sub("userlist"));
    expect(absent.status).toBe(409);
    expect((absent.body as unknown as StatusBody).message).toBe(`Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": VMI does not have guest agent connected`);
    expect(agent.opens).toEqual([]);

    expect((await status([{ type: "AgentConnected", status: "True" }])).status).toBe(200);
    const users = await api<{ items: unknown[] }>("GET", sub("userlist"));
    expect(users.status, JSON.stringify(users.body)).toBe(200);
    expect(users.headers.get("content-type")).toMatch(/^application\/json/);
    expect(users.body.items).toEqual([{ userName: "fedora", loginTime: 1700000000.5 }]);
    expect(agent.opens.map((o) => [o.kind, o.guest, o.target.uid])).toEqual([["guest", "users", expect.any(String)]]);
    await api("GET", sub("guestosinfo"));
    await api("GET", sub("filesystemlist"));
    expect(agent.opens.map((o) => o.guest)).toEqual(["users", "osinfo", "filesystems"]);

    answer = "not json";
    const garbled = await api("GET", sub("guestosinfo"));
    expect(garbled.status).toBe(502);
    expect((garbled.body as unknown as StatusBody).message).toMatch(/not a JSON object/);
    answer = JSON.stringify({ padding: "x".repeat(1024 * 1024) });
    const huge = await api("GET", sub("guestosinfo"));
    expect(huge.status).toBe(502);
    expect((huge.body as unknown as StatusBody).message).toMatch(/more than 1048576 bytes/);
    agent.ws.close(1000, "done");
  });
});
