/**
 * A scale-up's burst of child creates must leave the runtime turns to poll
 * for I/O. Locally every Durable Object shares one workerd event loop, which
 * reads sockets and fires timers only when its queue of ready work runs dry;
 * Durable Objects calling each other in one process never wait on a socket,
 * so hundreds of creates in flight used to keep that queue full for the whole
 * burst. Under `npm start` that left API requests unanswered for tens of
 * seconds and wedged the local queue broker, so a ReplicaSet scaled to 1,000
 * never converged (bench/README.md). A timer is the observable here: it fires
 * only after a poll, so counting the children created between two firings of
 * a zero-delay timer measures how long the loop went without one.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { listObjects } from "../workers/objects/client";
import { RESOURCES, WRITE_PARALLELISM } from "../workers/controllers/replicaset/replicas-sync";
import { api, eventually, namespace } from "./helpers";

const MERGE = { "content-type": "application/merge-patch+json" };
const N = 400;

const rs = (name: string, replicas: number) => ({
  apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
});

/** Pods in `ns`, counted by the collection without reading them all. */
async function podCount(ns: string): Promise<number> {
  const page = await listObjects(env, { resource: RESOURCES.pods, namespace: ns, limit: 1 });
  return page.items.length + (page.remainingItemCount ?? 0);
}

describe("replicas core under a burst", () => {
  it(`lets timers fire while it creates ${N} children: at most a few rounds of creates between two turns`, async () => {
    const ns = await namespace();
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs("burst", 0));
    await eventually(async () => {
      const got = await api<{ status?: { observedGeneration?: number } }>("GET", `/apis/apps/v1/namespaces/${ns}/replicasets/burst`);
      return got.body.status?.observedGeneration === 1;
    });
    // Between two firings of the timer, how many pods appeared.
    const counts: number[] = [];
    let done = false;
    const probe = (async () => {
      while (!done) {
        await new Promise((r) => setTimeout(r, 0));
        counts.push(await podCount(ns));
      }
    })();
    await api("PATCH", `/apis/apps/v1/namespaces/${ns}/replicasets/burst/scale`, { spec: { replicas: N } }, MERGE);
    try {
      await eventually(async () => (await podCount(ns)) === N, 60_000);
    } finally {
      done = true;
      await probe;
    }
    let widest = 0;
    for (let i = 1; i < counts.length; i++) widest = Math.max(widest, (counts[i] ?? 0) - (counts[i - 1] ?? 0));
    // The replicas core writes WRITE_PARALLELISM (48) children at a time,
    // each round after a timer (bounded.ts): allow two rounds. Before, the
    // timer fired only between slow-start batches (counts 0,1,3,7,15,31,63,
    // 127,255,400 for N=400), so the batches of 128 and 145 creates each went
    // by without a turn; with 16 at a time the widest gap measured was 6.
    expect(widest, `pods created between consecutive timer turns: ${counts.join(",")}`).toBeLessThanOrEqual(2 * WRITE_PARALLELISM);
    expect(await podCount(ns)).toBe(N);
  }, 120_000);
});
