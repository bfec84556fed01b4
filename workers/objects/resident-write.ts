/**
 * @module
 * Writes of a collection-resident kind (`ResourceKind.collectionResident`:
 * Events). Such an object has no object store: its kind's collection store
 * plans the write from the object's row with the same `planWrite` and the
 * same admission as an object store, and commits it in one transaction.
 *
 * Why: every object store is a Durable Object with tables of its own, and
 * creating one cost as much as a pod's whole create (about 9 ms of the
 * runtime's CPU); a fleet writes one `Scheduled` Event per bind, and those
 * Events were 30 % of its CPU (issue 14). Upstream often gives Events an etcd
 * of their own for the same reason.
 *
 * The invariants hold as for any kind: the plan and the commit are one
 * transaction of the one store that owns the row (order, crash safety: no
 * pending step to recover), and optimistic concurrency is checked twice —
 * by `planWrite` against the row it read, and by the commit against the row
 * as it is then: admission may await another Durable Object, and a write of
 * the same object that committed meanwhile makes this one plan again.
 */
import { conflict } from "../../shared/k8s/errors";
import type { KubeObject } from "../../shared/k8s/object";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { kindByResource } from "../registry";
import { changeObserver } from "./change-observer";
import type { CommitRequest, CommitResult } from "./collection-store";
import { type ObjectOp, planWrite } from "./object-ops";
import type { ObjectRef } from "./object-ref";
import type { WriteResult } from "./object-store";
import { writeAdmission } from "./write-admission";
import { refOf } from "./write-rules";

/** Plans before a write that keeps losing its race is answered 409 (the client retries, as after any conflict). */
const PLAN_ATTEMPTS = 8;

/** Thrown by the commit when the row changed since the write was planned. */
export class StaleCommit extends Error {
  constructor() {
    super("the object changed while its write was admitted");
  }
}

/** The kind of `ref`, which must be collection-resident (anything else is a bug of the caller). */
export function residentKind(ref: ObjectRef): ResourceKind {
  const kind = kindByResource(ref.resource);
  if (!kind?.collectionResident) throw new Error(`${ref.resource} is not kept in its collection`);
  return kind;
}

/** What the collection store lends a resident write. */
export interface ResidentStore {
  /** The object's row as stored now. */
  row(): { rv: number; body: string } | undefined;
  /** Commits in one transaction (throws StaleCommit when the row moved past `prevRv`). */
  commit(req: CommitRequest): CommitResult;
}

/** Plans and commits one write of `ref` (see the module comment). */
export async function residentWrite(env: Env, kind: ResourceKind, ref: ObjectRef, op: ObjectOp, store: ResidentStore): Promise<WriteResult> {
  for (let attempt = 1; ; attempt++) {
    const row = store.row();
    const current = row ? (JSON.parse(row.body) as KubeObject) : undefined;
    const plan = planWrite(kind, ref, current, op, Date.now());
    const type = plan.type;
    const planned = type === undefined ? undefined : { type, object: plan.object };
    const undo = planned ? await writeAdmission()?.before(env, kind, ref, current, planned, op.dryRun ?? false) : undefined;
    if (type === undefined || op.dryRun) {
      return { body: JSON.stringify(plan.object), created: plan.created, changed: false, type };
    }
    // The placeholder resourceVersion the commit replaces (rvPlaceholder), as an object store writes it.
    const pendingId = crypto.randomUUID();
    plan.object.metadata.resourceVersion = pendingId;
    let committed: CommitResult;
    try {
      const observer = changeObserver();
      committed = store.commit({
        pendingId,
        prevRv: row?.rv ?? 0,
        type,
        namespace: ref.namespace,
        name: ref.name,
        body: JSON.stringify(plan.object),
        labels: JSON.stringify(plan.object.metadata.labels ?? {}),
        reconcileKeys: observer?.keysForChange(plan.object, current ?? null, type) ?? [],
        resyncs: observer?.resyncs(kind.kind) ?? false,
      });
    } catch (err) {
      // Nothing was stored: a reservation goes back (one that cannot is healed by the quota controllers).
      if (undo) await undo().catch((e: unknown) => console.error("giving back a refused write's reservation failed", e));
      if (!(err instanceof StaleCommit)) throw err;
      if (attempt >= PLAN_ATTEMPTS) {
        throw conflict(refOf(kind), ref.name);
      }
      continue;
    }
    if (planned) await writeAdmission()?.after(env, kind, ref, current, planned);
    return { body: committed.body, created: plan.created, changed: true, type };
  }
}
