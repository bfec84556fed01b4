/**
 * @module
 * What tests do inside a Durable Object through `runInDurableObject`: the
 * production classes expose no test-only RPC methods, so crash injection,
 * early pruning and the Reconciler's counters are reached here, on the
 * instance itself.
 */
import { runInDurableObject } from "cloudflare:test";
import type { Reconciler } from "../workers/controllers/runtime/reconciler";
import type { CollectionStore } from "../workers/objects/collection-store";
import type { FaultPoint, ObjectStore } from "../workers/objects/object-store";

/** Makes the object's next write fail at `point`, as a crash there would. */
export async function injectFault(stub: DurableObjectStub<ObjectStore>, point: FaultPoint): Promise<void> {
  await runInDurableObject(stub, (instance: ObjectStore) => {
    instance["fault"] = point;
  });
}

/**
 * Leaves a pending write in the object's storage as a crash after its
 * pending step would, and makes the instance look for it again as a
 * restarted store does (it remembers having found none).
 */
export async function plantPendingWrite(stub: DurableObjectStub<ObjectStore>, row: { id: string; type: string; body: string; prevRv: number }): Promise<void> {
  await runInDurableObject(stub, (instance: ObjectStore, state) => {
    state.storage.sql.exec("INSERT INTO pending (id, type, body, prev_rv) VALUES (?, ?, ?, ?)", row.id, row.type, row.body, row.prevRv);
    instance["noPending"] = false;
  });
}

/** Prunes the collection's event log as if `now` were the time; answers the compacted resourceVersion. */
export async function pruneNow(stub: DurableObjectStub<CollectionStore>, now: number): Promise<number> {
  return runInDurableObject(stub, (instance: CollectionStore) => {
    instance["prune"](now);
    return instance.compactedRv();
  });
}

/** Makes a Reconciler act as if it had been observing since `ms` (a long-running control plane). */
export async function observeSince(stub: DurableObjectStub<Reconciler>, ms: number): Promise<void> {
  await runInDurableObject(stub, (instance: Reconciler) => {
    instance["observingSince"] = ms;
  });
}

/** How many runs a Reconciler made, the most that ever overlapped, and how many requeues it sent. */
export async function reconcilerStats(stub: DurableObjectStub<Reconciler>): Promise<{ runs: number; maxRunning: number; requeues: number }> {
  return runInDurableObject(stub, (instance: Reconciler) => ({
    runs: instance["runs"], maxRunning: instance["maxRunning"], requeues: instance["requeues"],
  }));
}
