/**
 * Helpers for host tests: joining a node through the real API and sending
 * signed reports to its webhook.
 */
import { signedHeaders } from "../shared/hosts/signature";
import type { JoinResponse } from "../shared/hosts/join";
import type { HostReport } from "../shared/hosts/report";
import type { KubeObject } from "../shared/k8s/object";
import { api, namespace, pod, readResponse, send, type ApiResponse } from "./helpers";

/** Mints a join token as the admin. */
export async function joinToken(ttlSeconds?: number): Promise<string> {
  const res = await api<{ token: string }>("POST", "/apis/hosts.duraplane.io/v1/jointokens", ttlSeconds ? { ttlSeconds } : {});
  if (res.status !== 201) throw new Error(`jointokens: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** Calls the join exchange with a join token. */
export async function join(token: string, body: unknown): Promise<ApiResponse<JoinResponse & { message?: string }>> {
  const res = await send(new Request("https://duraplane.test/apis/hosts.duraplane.io/v1/join", {
    method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body),
  }));
  return { status: res.status, headers: res.headers, body: (await res.json()) as JoinResponse & { message?: string } };
}

/** Joins a fresh node; returns its credentials. */
export async function joinNode(name: string, capacity = { cpu: "8", memory: "32Gi", pods: "110" }): Promise<JoinResponse> {
  const res = await join(await joinToken(), { nodeName: name, capacity });
  if (res.status !== 201) throw new Error(`join: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Two joined nodes, a namespace, and a pod bound to each (NodeRestriction's and the tunnel's fixtures). */
export interface TwoNodes {
  me: JoinResponse;
  other: JoinResponse;
  ns: string;
  mine: KubeObject;
  theirs: KubeObject;
}

/** Joins two nodes named `<prefix>-…` and `<prefix>-other-…` and binds a pod with `containers` to each. */
export async function twoNodesWithPods(prefix: string, containers: string[]): Promise<TwoNodes> {
  const unique = (p: string): string => `${p}-${crypto.randomUUID().slice(0, 8)}`;
  const me = await joinNode(unique(prefix));
  const other = await joinNode(unique(`${prefix}-other`));
  const ns = await namespace();
  const mk = async (node: string) => (await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod(unique("p"), {
    spec: { nodeName: node, containers: containers.map((name) => ({ name, image: "busybox" })) },
  }))).body;
  return { me, other, ns, mine: await mk(me.nodeName), theirs: await mk(other.nodeName) };
}

/** Calls the API with a node's token. */
export async function asNode<T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown, contentType = method === "PATCH" ? "application/merge-patch+json" : "application/json"): Promise<ApiResponse<T>> {
  const res = await send(new Request(`https://duraplane.test${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": contentType } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  }));
  return readResponse<T>(res);
}

/** How to sign one call; defaults make a valid call. */
export interface SignOptions {
  secrets?: string[];
  id?: string;
  timestamp?: number;
  headers?: Record<string, string>;
  path?: string;
}

/** Sends a (by default correctly signed) report for `node`. */
export async function postReport(node: string, secret: string, report: HostReport | string, opts: SignOptions = {}): Promise<ApiResponse> {
  const body = typeof report === "string" ? report : JSON.stringify(report);
  const id = opts.id ?? `msg_${crypto.randomUUID()}`;
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers = { ...(await signedHeaders(opts.secrets ?? [secret], id, ts, body)), "content-type": "application/json", ...opts.headers };
  return readResponse(await send(new Request(`https://duraplane.test${opts.path ?? `/webhooks/v1/nodes/${node}/reports`}`, { method: "POST", headers, body })));
}

let sequence = Date.now() * 1000;
/** A fresh, increasing observation sequence. */
export function nextSequence(): number {
  return ++sequence;
}
