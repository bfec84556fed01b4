/**
 * Helpers for the quota tests: quotas, pods with requests, and reads of the
 * QuotaSet a namespace's charges live in.
 */
import type { KubeObject } from "../shared/k8s/object";
import { api, eventually, pod, type ApiResponse, type StatusBody } from "./helpers";

/** A ResourceQuota body. */
export function quota(name: string, hard: Record<string, string>, extra: { scopes?: string[]; annotations?: Record<string, string>; scopeSelector?: unknown } = {}): KubeObject {
  const { scopes, annotations, scopeSelector } = extra;
  return {
    apiVersion: "v1", kind: "ResourceQuota",
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: { hard, ...(scopes ? { scopes } : {}), ...(scopeSelector ? { scopeSelector } : {}) },
  };
}

/** Creates a quota and waits until its status shows every hard name. */
export async function createQuota(ns: string, body: KubeObject): Promise<void> {
  const res = await api("POST", `/api/v1/namespaces/${ns}/resourcequotas`, body);
  if (res.status !== 201) throw new Error(`quota create failed: ${res.status} ${JSON.stringify(res.body)}`);
  await eventually(async () => {
    const got = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/resourcequotas/${body.metadata.name ?? ""}`);
    const status = got.body.status as { hard?: Record<string, string> } | undefined;
    return status?.hard !== undefined && Object.keys(status.hard).length === Object.keys((body.spec as { hard: object }).hard).length;
  });
}

/** A pod whose one container requests (and optionally limits) resources. */
export function podWith(name: string, requests: Record<string, string>, limits?: Record<string, string>, spec: Record<string, unknown> = {}): KubeObject {
  const base = pod(name);
  return {
    ...base,
    spec: { containers: [{ name: "web", image: "nginx:1.27", resources: { requests, ...(limits ? { limits } : {}) } }], ...spec },
  };
}

/** POSTs a pod. */
export function createPod(ns: string, body: KubeObject): Promise<ApiResponse<StatusBody & KubeObject>> {
  return api<StatusBody & KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, body);
}

/** The quota's status.used. */
export async function usedOf(ns: string, name: string): Promise<Record<string, string>> {
  const got = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/resourcequotas/${name}`);
  return (got.body.status as { used?: Record<string, string> } | undefined)?.used ?? {};
}
