/**
 * Transient failures answer 503/504 with Retry-After and a Status, never a
 * bare 500: a write that failed after its pending row was recorded is 504
 * ("may still be processing") and is then applied exactly once by recovery;
 * the platform's retryable/overloaded errors become 503 (nothing applied) or
 * 504 (a write that may have reached its object); only bugs stay 500.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { errorResponse } from "../workers/api/respond";
import { objectStub } from "../workers/objects/client";
import type { ObjectStore } from "../workers/objects/object-store";
import { outcome } from "../workers/objects/outcome";
import { api, namespace, pod, type StatusBody } from "./helpers";
import { injectFault } from "./do-internals";

const MERGE = { "content-type": "application/merge-patch+json" };
const TIMEOUT_MESSAGE = "the server was unable to return a response in the time allotted, but may still be processing the request";

type Retryable = StatusBody & { details?: { retryAfterSeconds?: number } };

describe("a write interrupted after its pending row", () => {
  it("answers 504 Timeout with Retry-After, and recovery applies it exactly once", async () => {
    const ns = await namespace();
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"))).status).toBe(201);
    const stub = objectStub(env, { resource: "/pods", namespace: ns, name: "web" });
    await injectFault(stub, "afterPending");

    const res = await api<Retryable>("PATCH", `/api/v1/namespaces/${ns}/pods/web`, { metadata: { labels: { v: "1" } } }, MERGE);
    expect(res.status).toBe(504);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(res.body).toMatchObject({ kind: "Status", code: 504, reason: "Timeout", message: TIMEOUT_MESSAGE, details: { retryAfterSeconds: 2 } });

    // The recovery alarm alone finishes it; the object's log then holds exactly ADDED and one MODIFIED.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const got = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/web`);
    expect(got.body.metadata.labels).toEqual({ v: "1" });
    const events = await runInDurableObject(stub, (instance: ObjectStore) => instance.readEvents(0, 100));
    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED"]);
  });

  it("a create answered 504 exists afterwards: the client's retry sees AlreadyExists, not a second object", async () => {
    const ns = await namespace();
    const stub = objectStub(env, { resource: "/pods", namespace: ns, name: "web" });
    await injectFault(stub, "afterPending");
    const first = await api<Retryable>("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
    expect(first.status).toBe(504);
    expect(first.headers.get("retry-after")).toBe("2");
    const retry = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
    expect(retry.status).toBe(409);
    expect(retry.body.reason).toBe("AlreadyExists");
    const events = await runInDurableObject(stub, (instance: ObjectStore) => instance.readEvents(0, 100));
    expect(events.map((e) => e.type)).toEqual(["ADDED"]);
  });
});

describe("the front's answer to a thrown error", () => {
  async function answer(err: unknown, method: string): Promise<{ status: number; retryAfter: string | null; body: Retryable }> {
    const res = errorResponse(err, method);
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json<Retryable>() };
  }
  const flagged = (props: Record<string, boolean>, message = "boom"): Error => Object.assign(new Error(message), props);

  it("a retryable error on a read is 503 ServiceUnavailable with Retry-After", async () => {
    const a = await answer(flagged({ retryable: true }), "GET");
    expect(a.status).toBe(503);
    expect(a.retryAfter).toBe("1");
    expect(a.body).toMatchObject({ kind: "Status", code: 503, reason: "ServiceUnavailable", details: { retryAfterSeconds: 1 } });
  });

  it("a retryable error on a write is 504: the object's store may have recorded it", async () => {
    for (const err of [flagged({ retryable: true }), flagged({ durableObjectReset: true }), new Error("Network connection lost.")]) {
      const a = await answer(err, "PATCH");
      expect(a.status).toBe(504);
      expect(a.retryAfter).toBe("2");
      expect(a.body).toMatchObject({ kind: "Status", reason: "Timeout", message: TIMEOUT_MESSAGE });
    }
  });

  it("an overloaded object turned the request away: 503 even for a write", async () => {
    const a = await answer(flagged({ overloaded: true }), "POST");
    expect(a.status).toBe(503);
    expect(a.body.reason).toBe("ServiceUnavailable");
  });

  it("anything else is still a 500 InternalError with a Status body", async () => {
    const a = await answer(new TypeError("x is undefined"), "POST");
    expect(a.status).toBe(500);
    expect(a.retryAfter).toBeNull();
    expect(a.body).toMatchObject({ kind: "Status", code: 500, reason: "InternalError" });
  });

  it("inside a store, a transient failure becomes a 503 Outcome and a bug still throws", async () => {
    const failed = await outcome(() => {
      throw new Error("Durable Object storage operation exceeded timeout which caused object to be reset.");
    });
    expect(failed).toMatchObject({ ok: false, status: { code: 503, reason: "ServiceUnavailable", details: { retryAfterSeconds: 1 } } });
    await expect(outcome(() => {
      throw new RangeError("bug");
    })).rejects.toThrow("bug");
  });
});
