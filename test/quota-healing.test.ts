/**
 * Quota bookkeeping survives crashes: a reservation left without its object
 * (a crash between reserve and write) is dropped by the controller's
 * recompute; a release that never came is repaired the same way; a crash
 * after the store recorded the write keeps the charge, which the write then
 * justifies.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { units } from "../shared/k8s/quota-amount";
import { reconcileResourceQuota } from "../workers/controllers/resourcequota/resource-quota";
import { collectionStub, objectStub } from "../workers/objects/client";
import { ORPHAN_GRACE_MS, quotaSetStub, type QuotaSet } from "../workers/quota/quota-set";
import { injectFault } from "./do-internals";
import { api, eventually, namespace, pod } from "./helpers";
import { createPod, createQuota, quota, usedOf } from "./quota-helpers";

/** Writes a charge straight into the namespace's ledger, as a crash would leave it. */
async function plantCharge(ns: string, quotaName: string, key: string, pods: number, at: number): Promise<void> {
  await runInDurableObject(quotaSetStub(env, ns), (instance: QuotaSet) => {
    instance["ledger"].set(quotaName, key, "ghost-uid", { pods: units(pods) }, at);
  });
}

describe("quota self-healing", () => {
  it("drops a reservation whose object was never written", async () => {
    const ns = await namespace("heal");
    await createQuota(ns, quota("q", { pods: "1" }));
    // Planted young, so a background resync keeps it while the refusal is checked…
    await plantCharge(ns, "q", `/pods/${ns}/ghost`, 1, Date.now());
    const refused = await createPod(ns, pod("real"));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain("used: pods=1");
    // …then aged past the grace period a write in flight gets.
    await plantCharge(ns, "q", `/pods/${ns}/ghost`, 1, Date.now() - ORPHAN_GRACE_MS - 1000);
    await reconcileResourceQuota(env, { controller: "resourcequota", namespace: ns, name: "q" });
    expect((await createPod(ns, pod("real"))).status).toBe(201);
    await eventually(async () => (await usedOf(ns, "q")).pods === "1");
  });

  it("keeps a fresh reservation (a write may be in flight) and charges objects it never saw", async () => {
    const ns = await namespace("heal");
    await createQuota(ns, quota("q", { pods: "2" }));
    await plantCharge(ns, "q", `/pods/${ns}/inflight`, 1, Date.now());
    expect((await createPod(ns, pod("one"))).status).toBe(201);
    // A lost charge: the ledger forgets "one" (a release that ran for an object still stored).
    await runInDurableObject(quotaSetStub(env, ns), (instance: QuotaSet) => {
      instance["ledger"].set("q", `/pods/${ns}/one`, "x", {}, 0);
    });
    await reconcileResourceQuota(env, { controller: "resourcequota", namespace: ns, name: "q" });
    // "inflight" is younger than the grace period: kept; "one" is charged again from the store.
    expect((await createPod(ns, pod("two"))).body.message).toContain("used: pods=2");
  });

  it("a crash after the pending row keeps the charge, and the recovered write matches it", async () => {
    const ns = await namespace("heal");
    await createQuota(ns, quota("q", { pods: "1" }));
    await injectFault(objectStub(env, { resource: "/pods", namespace: ns, name: "crashy" }), "afterPending");
    const first = await createPod(ns, pod("crashy"));
    expect(first.status).toBe(504);
    await eventually(async () => (await api("GET", `/api/v1/namespaces/${ns}/pods/crashy`)).status === 200);
    expect((await createPod(ns, pod("other"))).status).toBe(403);
    await reconcileResourceQuota(env, { controller: "resourcequota", namespace: ns, name: "q" });
    expect((await createPod(ns, pod("other"))).status).toBe(403);
  });

  it("gives the reservation back when the store refuses the write", async () => {
    const ns = await namespace("heal");
    await createQuota(ns, quota("q", { pods: "1" }));
    // A row the object's store does not know of makes the collection refuse its commit for good.
    await runInDurableObject(collectionStub(env, "/pods"), (_instance, state) => {
      state.storage.sql.exec("INSERT INTO objects (key, namespace, name, rv, labels, body) VALUES (?, ?, ?, ?, ?, ?)",
        `${ns}/clash`, ns, "clash", 999_999_999, "{}", "{}");
    });
    const refused = await createPod(ns, pod("clash"));
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body.message).not.toContain("exceeded quota");
    expect((await createPod(ns, pod("real"))).status).toBe(201);
    await runInDurableObject(collectionStub(env, "/pods"), (_instance, state) => {
      state.storage.sql.exec("DELETE FROM objects WHERE key = ?", `${ns}/clash`);
    });
  });
});
