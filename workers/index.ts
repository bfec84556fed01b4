/**
 * @module
 * The Worker: the API front on fetch, and the Durable Object classes.
 */
import { app } from "./api/app";
import { consumeReconcileBatch } from "./controllers/runtime/consumer";
import { consumeDeadLetters } from "./controllers/runtime/dead-letters";
import { reconcileObserver } from "./controllers/runtime/reconcile-observer";
import { observeChanges } from "./objects/change-observer";
import { admitWrites } from "./objects/write-admission";
import { quotaAdmission } from "./quota/quota-admission";
import { costEnv, costEvent, costRequest } from "./cost/wiring";
import { withVMIPhaseMetrics } from "./metrics/vmi-phase-metrics";

// The controllers observe every collection's committed changes (storage does not import them).
// The VMI phase metrics observe the same changes (workers/metrics/vmi-phase-metrics.ts).
observeChanges(withVMIPhaseMetrics(reconcileObserver));
// Quotas admit every write of every object, whoever makes it (workers/objects/write-admission.ts).
admitWrites(quotaAdmission);

export { CollectionStore } from "./objects/collection-store";
export { ObjectStore } from "./objects/object-store";
export { BenchFloor } from "./bench/floor";

export { Reconciler } from "./controllers/runtime/reconciler";
export { QuotaSet } from "./quota/quota-set";
export { NodeTunnel } from "./tunnel/node-tunnel";
export { FleetMetrics } from "./metrics/fleet-metrics";
export { UsageStore } from "./resource-metrics/usage-store";

export default {
  fetch(req: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    costRequest(req);
    return app.fetch(req, costEnv(env), ctx);
  },
  async queue(batch, env, _ctx): Promise<void> {
    costEvent("queue.deliveries", batch.messages.length);
    if (batch.queue.endsWith("-dlq")) return consumeDeadLetters(batch, costEnv(env));
    return consumeReconcileBatch(batch, costEnv(env));
  },
} satisfies ExportedHandler<Env>;
