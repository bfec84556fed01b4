/**
 * Exhausted reconcile keys are visible: a metric and a Warning Event.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../workers/index";
import { api, namespace } from "./helpers";

describe("dead-letter queue", () => {
  it("records a dead-lettered key in /metrics and as a Warning Event on its owner", async () => {
    const ns = await namespace();
    const before = await api<string>("GET", "/metrics");
    const count = (text: string): number => Number(/duraplane_reconcile_dead_letters_total\{controller="replicaset"\} (\d+)/.exec(text)?.[1] ?? "NaN");
    const batch = createMessageBatch("duraplane-reconcile-dlq", [
      { id: `dl-${ns}`, timestamp: new Date(), attempts: 11, body: { controller: "replicaset", namespace: ns, name: "broken" } },
      { id: `junk-${ns}`, timestamp: new Date(), attempts: 1, body: { nonsense: true } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual([`dl-${ns}`, `junk-${ns}`].sort());
    const after = await api<string>("GET", "/metrics");
    expect(count(after.body)).toBe(count(before.body) + 1);
    const events = await api<{ items: { reason: string; type: string; involvedObject: { kind: string; name: string } }[] }>(
      "GET", `/api/v1/namespaces/${ns}/events?fieldSelector=involvedObject.name%3Dbroken`);
    expect(events.body.items).toEqual([expect.objectContaining({ reason: "ReconcileFailed", type: "Warning", involvedObject: expect.objectContaining({ kind: "ReplicaSet", name: "broken" }) })]);
  });
});
