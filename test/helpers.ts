/**
 * Helpers for workerd tests: an authenticated client for the real Worker,
 * talking to real Durable Objects and D1. Requests call the Worker's fetch
 * handler directly: SELF.fetch in vitest-pool-workers 0.15.1 slows down
 * linearly with the number of requests a test file makes (measured: 6 ms per
 * request at first, 70 ms after 400), which turns long tests into timeouts.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../workers/index";
import { createToken } from "../workers/api/auth";
import type { KubeObject } from "../shared/k8s/object";

export const TOKEN = "test-admin-token";
let ready: Promise<void> | undefined;

/** Makes sure the admin token exists in D1. */
export function ensureToken(): Promise<void> {
  ready ??= createToken(env, TOKEN, { username: "admin", groups: ["system:masters"] });
  return ready;
}

/** Sends a request to the Worker's fetch handler. */
export async function send(req: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(req, env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** A response with its parsed JSON body. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls the API as the admin. `body` objects are sent as JSON unless a string is given. */
export async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  await ensureToken();
  const init: RequestInit = { method, headers: { authorization: `Bearer ${TOKEN}`, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      (init.headers as Record<string, string>)["content-type"] = "application/json";
    }
  }
  return readResponse<T>(await send(new Request(`https://duraplane.test${path}`, init)));
}

/** A response's status, headers and body (parsed JSON, else the text). */
export async function readResponse<T = Record<string, unknown>>(res: Response): Promise<ApiResponse<T>> {
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // leave as text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** A minimal valid pod. */
export function pod(name: string, extra: Partial<KubeObject> = {}, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels },
    spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
    ...extra,
  };
}

/** A unique namespace per test, created through the API. */
export async function namespace(prefix = "t"): Promise<string> {
  const name = `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
  const res = await api("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  if (res.status !== 201) throw new Error(`namespace create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return name;
}

/** Asserts the shape of a Status body and returns it. */
export interface StatusBody {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { field?: string; reason: string; message: string }[] };
}

/** Polls `check` until it returns true (alarms fire on their own under workerd), failing after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
