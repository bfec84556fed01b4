/**
 * @module
 * Calls to the public API with the session's bearer token, exactly as
 * kubectl makes them: RBAC, quotas and the audit log apply to the dashboard
 * as to any client. Failures are the API's own `Status`.
 */
import { token } from "./session";

/** A Kubernetes object as far as the dashboard reads it. */
export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string;
    deletionTimestamp?: string; labels?: Record<string, string>; generation?: number;
    ownerReferences?: { kind: string; name: string; uid: string; apiVersion: string; controller?: boolean }[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One `details.causes` entry of a Status: a field and what is wrong with it (or who owns it, for an apply conflict). */
export interface StatusCause { reason?: string; message?: string; field?: string }

/** metav1.Status, as every refusal carries it. */
export interface Status { kind?: string; code?: number; reason?: string; message?: string; details?: { causes?: StatusCause[] } }

/** A request the API refused, with its Status. */
export class ApiError extends Error {
  constructor(readonly code: number, readonly status: Status) {
    super(status.message ?? `HTTP ${code}`);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const t = token();
  return { accept: "application/json", ...(t ? { authorization: `Bearer ${t}` } : {}), ...extra };
}

/** Sends a request and parses the JSON answer; throws ApiError with the Status on failure. */
export async function request<T = KObj>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
  const init: RequestInit = { method, headers: headers(body === undefined ? {} : { "content-type": contentType }) };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const res = await fetch(path, init);
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { message: text };
  }
  if (!res.ok) throw new ApiError(res.status, parsed as Status);
  return parsed as T;
}

/** A streaming GET (pod logs with follow=true): the body's reader. */
export async function stream(path: string, signal: AbortSignal): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const res = await fetch(path, { headers: headers({ accept: "*/*" }), signal });
  if (!res.ok || !res.body) {
    const text = await res.text();
    let status: Status = { message: text };
    try {
      status = JSON.parse(text) as Status;
    } catch {
      // plain text answer
    }
    throw new ApiError(res.status, status);
  }
  return res.body.getReader();
}

/** base64url without padding, as the bearer subprotocol wants it. */
function b64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Opens a WebSocket to the API: a browser cannot set headers on one, so the
 * token rides in the `base64url.bearer.authorization.k8s.io.` subprotocol
 * beside the protocols offered.
 */
export function openSocket(path: string, protocols: string[]): WebSocket {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
  const t = token();
  return new WebSocket(url, [...protocols, ...(t ? [`base64url.bearer.authorization.k8s.io.${b64url(t)}`] : [])]);
}
