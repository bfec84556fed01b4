/**
 * @module
 * The streaming subresources, each routed through the NodeTunnel of the
 * node the pod or VMI is bound to (nothing dials the host; its agent dialled
 * us): `pods/log` (an HTTP body), `pods/exec|attach` (remote-command over
 * WebSocket, v5 or v4), `pods/portforward` (kubectl's SPDY-over-WebSocket
 * tunnel) and KubeVirt's `virtualmachineinstances/{name}/console|vnc`
 * (plain.kubevirt.io). Everything that can be refused is refused before the
 * upgrade, as a Status: 404 for a missing object, 400 for a container the pod
 * does not have, 403 by RBAC — where, as upstream since 1.30
 * (AuthorizePodWebsocketUpgradeCreatePermission), a WebSocket GET of exec,
 * attach or portforward needs `create` as well as `get`.
 */
import { type Context, Hono } from "hono";
import { ApiError, badRequest, conflict } from "../../shared/k8s/errors";
import type { KubeObject } from "../../shared/k8s/object";
import type { StreamKind } from "../../shared/tunnel/frames";
import { jsonTextTooDeep } from "../../shared/k8s/limits";
import { getObject } from "../objects/client";
import { decide } from "../rbac/decisions";
import { forbiddenRequest } from "../rbac/forbidden";
import { resourceKey } from "../registry";
import { outputHoldMs, REMOTE_COMMAND_PROTOCOLS } from "../tunnel/remote-command";
import { logOptionsOf, processOptionsOf } from "../tunnel/stream-options";
import { STREAM_REQUEST_HEADER, type StreamRequest } from "../tunnel/stream-request";
import type { UserInfo } from "./auth";
import { readBodyBytes } from "./body";
import { backgroundOf } from "./authorize";
import { protocolsToEcho } from "./websocket-bearer";

type StreamEnv = { Bindings: Env; Variables: { user: UserInfo } };

const PODS = resourceKey({ group: "", plural: "pods" });
const VMIS = resourceKey({ group: "kubevirt.io", plural: "virtualmachineinstances" });

/** kubectl ≥ 1.31 tunnels port-forward's SPDY through a WebSocket with this subprotocol. */
export const PORT_FORWARD_TUNNEL_PROTOCOL = "SPDY/3.1+portforward.k8s.io";
/** KubeVirt's console and VNC subprotocols (virtctl offers plain.kubevirt.io). */
const KUBEVIRT_PROTOCOLS = ["plain.kubevirt.io", "binary.kubevirt.io"];

function isUpgrade(c: Context): boolean {
  return (c.req.header("upgrade") ?? "").toLowerCase() === "websocket";
}

function pickProtocol(c: Context, supported: readonly string[], what: string): string {
  const offered = protocolsToEcho(c.req.raw.headers);
  const chosen = supported.find((p) => offered.includes(p));
  if (chosen) return chosen;
  throw badRequest(`${what} needs a WebSocket with one of the subprotocols ${supported.join(", ")}; offered: ${offered.join(", ") || "none"}`);
}

interface PodSpecView { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] }

function containersOf(pod: KubeObject): string[] {
  const spec = (pod.spec ?? {}) as PodSpecView;
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].map((c) => c.name);
}

/** The container a request names, checked as upstream's LogLocation/streamLocation check it. */
function containerOf(pod: KubeObject, requested: string | undefined): string {
  const name = pod.metadata.name ?? "";
  const all = containersOf(pod);
  if (requested) {
    if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const regular = ((pod.spec ?? {}) as PodSpecView).containers ?? [];
  if (regular.length === 1 && regular[0]) return regular[0].name;
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(" ")}]`);
}

function podNode(pod: KubeObject): string {
  const node = ((pod.spec ?? {}) as PodSpecView).nodeName;
  if (!node) throw badRequest(`pod ${pod.metadata.name ?? ""} does not have a host assigned`);
  return node;
}

/** Upstream's extra check on WebSocket upgrades of exec/attach/portforward: `create` too. */
async function requireCreate(c: Context<StreamEnv>, subresource: string, namespace: string, name: string): Promise<void> {
  const user = c.get("user");
  if (user.node !== undefined) return; // NodeRestriction already refused nodes
  const attrs = { resourceRequest: true as const, verb: "create", apiGroup: "", resource: "pods", subresource, namespace, name };
  const decision = await decide(c.env, user, attrs, backgroundOf(c));
  if (!decision.allowed) throw forbiddenRequest(user.username, attrs, decision.reason);
}

/** Forwards an open to the node's tunnel; its answer (a body, a 101 or a Status) is the client's. */
function viaTunnel(c: Context<StreamEnv>, node: string, req: StreamRequest): Promise<Response> {
  const stub = c.env.NODE_TUNNELS.getByName(node);
  const headers = new Headers({ [STREAM_REQUEST_HEADER]: JSON.stringify(req) });
  if (req.protocol !== undefined) {
    headers.set("upgrade", "websocket");
    for (const h of ["sec-websocket-key", "sec-websocket-version", "connection"]) {
      const v = c.req.header(h);
      if (v) headers.set(h, v);
    }
  }
  return stub.fetch("https://tunnel/stream", { headers });
}

export const streams = new Hono<StreamEnv>();

streams.get("/api/v1/namespaces/:ns/pods/:name/log", async (c) => {
  const { ns, name } = c.req.param();
  const q = new URL(c.req.url).searchParams;
  const log = logOptionsOf(q, name);
  const pod = await getObject(c.env, { resource: PODS, namespace: ns, name });
  const container = containerOf(pod, q.get("container") ?? undefined);
  return viaTunnel(c, podNode(pod), {
    kind: "log", target: { namespace: ns, name, uid: pod.metadata.uid ?? "", container }, log, user: c.get("user").username,
  });
});

const phaseOf = (o: KubeObject): string => ((o.status ?? {}) as { phase?: string }).phase ?? "";

for (const kind of ["exec", "attach", "portforward"] as const) {
  streams.on(["GET", "POST"], `/api/v1/namespaces/:ns/pods/:name/${kind}`, async (c) => {
    const { ns, name } = c.req.param();
    if (isUpgrade(c)) await requireCreate(c, kind, ns, name);
    const q = new URL(c.req.url).searchParams;
    const process = kind === "portforward" ? undefined : processOptionsOf(q, kind === "exec");
    const pod = await getObject(c.env, { resource: PODS, namespace: ns, name });
    const phase = phaseOf(pod);
    if (phase === "Succeeded" || phase === "Failed") {
      const verb = kind === "exec" ? "exec into" : kind === "attach" ? "attach to" : "port-forward to";
      throw badRequest(`cannot ${verb} a container in a completed pod; current phase is ${phase}`);
    }
    const container = kind === "portforward" ? undefined : containerOf(pod, q.get("container") ?? undefined);
    // kubectl falls back to SPDY when its WebSocket is refused: that retry gets the same answers as above, then this one.
    if (!isUpgrade(c)) {
      throw new ApiError(400, "BadRequest", `pods/${kind} is served over WebSocket only (kubectl 1.31 and later use it); SPDY upgrades are not supported`);
    }
    const protocol = kind === "portforward" ? pickProtocol(c, [PORT_FORWARD_TUNNEL_PROTOCOL], "port-forward") : pickProtocol(c, REMOTE_COMMAND_PROTOCOLS, kind);
    const stream: StreamKind = kind;
    const hold = kind === "portforward" ? 0 : outputHoldMs(c.req.header("user-agent"));
    return viaTunnel(c, podNode(pod), {
      kind: stream, target: { namespace: ns, name, uid: pod.metadata.uid ?? "", ...(container ? { container } : {}) },
      ...(process ? { process } : {}), user: c.get("user").username, protocol, ...(hold > 0 ? { outputHoldMs: hold } : {}),
    });
  });
}

for (const version of ["v1", "v1alpha3"]) {
  for (const kind of ["console", "vnc"] as const) {
    streams.get(`/apis/subresources.kubevirt.io/${version}/namespaces/:ns/virtualmachineinstances/:name/${kind}`, async (c) => {
      const { ns, name } = c.req.param();
      if (!isUpgrade(c)) throw badRequest(`virtualmachineinstances/${kind} is served over WebSocket only`);
      const protocol = protocolsToEcho(c.req.raw.headers).find((p) => KUBEVIRT_PROTOCOLS.includes(p)) ?? "";
      const vmi = await getObject(c.env, { resource: VMIS, namespace: ns, name });
      const phase = phaseOf(vmi);
      if (phase !== "Running") throw badRequest(`Unable to connect to VM because phase is ${phase || "Pending"} instead of Running`);
      const node = ((vmi.status ?? {}) as { nodeName?: string }).nodeName;
      if (!node) throw badRequest(`VirtualMachineInstance ${name} does not have a host assigned`);
      return viaTunnel(c, node, { kind, target: { namespace: ns, name, uid: vmi.metadata.uid ?? "" }, user: c.get("user").username, protocol });
    });
  }
}


/** KubeVirt names the VMI in these conflicts by its singular resource (v1.Resource("virtualmachineinstance")). */
const VMI_SINGULAR = { group: "kubevirt.io", resource: "virtualmachineinstance" };
/** The most a guest agent document may hold (a host is not trusted to bound it). */
const MAX_GUEST_DOCUMENT_BYTES = 1024 * 1024;
const GUEST_SUBRESOURCES = { guestosinfo: "osinfo", userlist: "users", filesystemlist: "filesystems" } as const;

function agentConnected(vmi: KubeObject): boolean {
  const conditions = ((vmi.status ?? {}) as { conditions?: { type?: string; status?: string }[] }).conditions ?? [];
  return conditions.some((c) => c.type === "AgentConnected" && c.status === "True");
}

/** The body of a guest stream: one JSON object, at most MAX_GUEST_DOCUMENT_BYTES. */
async function guestDocumentOf(res: Response, name: string): Promise<unknown> {
  const bytes = await readBodyBytes(res, MAX_GUEST_DOCUMENT_BYTES,
    () => new ApiError(502, "BadGateway", `the guest agent of "${name}" answered with more than ${MAX_GUEST_DOCUMENT_BYTES} bytes`));
  const text = new TextDecoder().decode(bytes);
  try {
    const parsed: unknown = jsonTextTooDeep(text) ? undefined : JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // answered below
  }
  throw new ApiError(502, "BadGateway", `the guest agent of "${name}" answered with something that is not a JSON object`);
}

for (const version of ["v1", "v1alpha3"]) {
  for (const [subresource, query] of Object.entries(GUEST_SUBRESOURCES)) {
    streams.get(`/apis/subresources.kubevirt.io/${version}/namespaces/:ns/virtualmachineinstances/:name/${subresource}`, async (c) => {
      const { ns, name } = c.req.param();
      const vmi = await getObject(c.env, { resource: VMIS, namespace: ns, name });
      // virt-api's validation, before anything reaches the host (it answers these as 500s with the conflict's text; we keep the 409).
      if (phaseOf(vmi) !== "Running") throw conflict(VMI_SINGULAR, name, "VMI is not running");
      if (!agentConnected(vmi)) throw conflict(VMI_SINGULAR, name, "VMI does not have guest agent connected");
      const node = ((vmi.status ?? {}) as { nodeName?: string }).nodeName;
      if (!node) throw conflict(VMI_SINGULAR, name, "VMI is not running");
      const res = await viaTunnel(c, node, { kind: "guest", guest: query, target: { namespace: ns, name, uid: vmi.metadata.uid ?? "" }, user: c.get("user").username });
      if (res.status !== 200) return res; // a Status: no tunnel, the agent's refusal, a limit
      return c.json(await guestDocumentOf(res, name));
    });
  }
}
