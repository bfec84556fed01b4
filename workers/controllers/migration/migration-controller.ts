/**
 * @module
 * The migration controller's executor: lists migrations, VMIs, Nodes and
 * Pods, asks migration-plan.ts what to do, and makes the writes — each
 * guarded by the resourceVersion it was decided on, so a change since the
 * list is left to the next pass (which that change triggered). While any
 * migration is in flight it runs again every few seconds, to notice a target
 * or source Node that stopped being Ready.
 */
import { VMI_MIGRATION_TARGET_LABEL } from "../../../shared/hosts/constants";
import type { Json, JsonObject, KubeObject } from "../../../shared/k8s/object";
import { cachedListAll } from "../../client/list-cache";
import { isConflict, isInvalid, isNotFound } from "../../client/errors";
import { patchGuarded } from "../../client/patch-guarded";
import { runBounded } from "../../bounded";
import { writeObject } from "../../objects/client";
import { objectRefOf, resourceKey } from "../../registry";
import { recordEvent } from "../shared/events";
import type { ReconcileResult } from "../runtime/reconciler";
import { RESOURCES } from "../replicaset/replicas-sync";
import { MIGRATION_FINALIZER } from "./migration-fields";
import { DEFAULT_MIGRATION_LIMITS, type MigrationLimits, type MigrationStep, planMigrations } from "./migration-plan";

/** The migrations collection. */
export const MIGRATIONS = resourceKey({ group: "kubevirt.io", plural: "virtualmachineinstancemigrations" });
const NODES = resourceKey({ group: "", plural: "nodes" });
/** How often a pass runs while migrations are in flight (KubeVirt reacts to its informers; our Node changes arrive as keys too). */
export const ACTIVE_RESYNC_SECONDS = 3;
/** The component Events name (virt-controller's). */
export const MIGRATION_COMPONENT = "virtualmachine-migration-controller";
const PARALLEL = 8;

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The bounds from the Worker's vars, KubeVirt's defaults for a missing or malformed value. */
export function migrationLimitsOf(env: Pick<Env, "MIGRATIONS_PARALLEL_PER_CLUSTER" | "MIGRATIONS_PARALLEL_OUTBOUND_PER_NODE">): MigrationLimits {
  return {
    perCluster: positive(env.MIGRATIONS_PARALLEL_PER_CLUSTER, DEFAULT_MIGRATION_LIMITS.perCluster),
    perNode: positive(env.MIGRATIONS_PARALLEL_OUTBOUND_PER_NODE, DEFAULT_MIGRATION_LIMITS.perNode),
  };
}

/** A write that lost to a change made since the list: the next pass sees it. */
function isStale(err: unknown): boolean {
  return isNotFound(err) || isConflict(err) || (isInvalid(err) && err.message.includes("resourceVersion"));
}

async function writeStatus(env: Env, m: KubeObject, status: JsonObject): Promise<KubeObject> {
  const written = await writeObject(env, objectRefOf(m), { verb: "update", subresource: "status", input: { ...m, status } as unknown as Json });
  return written.object;
}

async function setTargetLabel(env: Env, vmi: KubeObject, node: string | null): Promise<void> {
  if (node === null && vmi.metadata.labels?.[VMI_MIGRATION_TARGET_LABEL] === undefined) return;
  await writeObject(env, objectRefOf(vmi), {
    verb: "patch", patchType: "merge", subresource: "", patch: { metadata: { labels: { [VMI_MIGRATION_TARGET_LABEL]: node } } },
  });
}

async function removeFinalizer(env: Env, m: KubeObject): Promise<void> {
  const finalizers = (m.metadata.finalizers ?? []).filter((f) => f !== MIGRATION_FINALIZER);
  await patchGuarded(env, MIGRATIONS, m, [{ op: "replace", path: "/metadata/finalizers", value: finalizers }]);
}

async function execute(env: Env, step: MigrationStep): Promise<void> {
  const m = step.migration;
  switch (step.kind) {
    case "status": {
      let current = m;
      if (step.finalize && !(m.metadata.finalizers ?? []).includes(MIGRATION_FINALIZER)) {
        const finalizers = [...(m.metadata.finalizers ?? []), MIGRATION_FINALIZER];
        current = (await patchGuarded(env, MIGRATIONS, m, [{ op: "add", path: "/metadata/finalizers", value: finalizers }])).object;
      }
      const written = await writeStatus(env, current, step.status);
      if (step.event) await recordEvent(env, written, step.event.type, step.event.reason, step.event.message, MIGRATION_COMPONENT);
      return;
    }
    case "handoff": {
      // The state first, then the label the target host watches by: it finds the state when it looks.
      const vmi = (await patchGuarded(env, RESOURCES.vmis, step.vmi, [
        { op: "add", path: "/status/migrationState", value: step.state as JsonObject },
      ], "status")).object;
      await setTargetLabel(env, vmi, step.state.targetNode ?? "");
      await writeStatus(env, m, step.status);
      return;
    }
    case "fail": {
      if (step.vmi) {
        let vmi = step.vmi;
        if (step.state) {
          vmi = (await patchGuarded(env, RESOURCES.vmis, vmi, [{ op: "add", path: "/status/migrationState", value: step.state as JsonObject }], "status")).object;
        }
        await setTargetLabel(env, vmi, null);
      }
      const written = await writeStatus(env, m, step.status);
      await recordEvent(env, written, "Warning", "FailedMigration", `VirtualMachineInstance migration uid ${m.metadata.uid ?? ""} failed. reason: ${step.reason}`, MIGRATION_COMPONENT);
      if (written.metadata.deletionTimestamp && (written.metadata.finalizers ?? []).includes(MIGRATION_FINALIZER)) await removeFinalizer(env, written);
      return;
    }
    case "abort":
      await writeObject(env, objectRefOf(step.vmi), {
        verb: "patch", patchType: "merge", subresource: "status",
        patch: { status: { migrationState: { abortRequested: true, abortStatus: "Aborting" } } },
      });
      return;
    case "release":
      if (step.vmi) await setTargetLabel(env, step.vmi, null);
      await removeFinalizer(env, m);
      return;
  }
}

/** One pass over every migration. */
export async function reconcileMigrations(env: Env, now: Date = new Date()): Promise<ReconcileResult> {
  // Most VMI and Node changes concern no migration: nothing else is read then.
  const migrations = await cachedListAll(env, { resource: MIGRATIONS });
  if (migrations.length === 0) return {};
  const [vmis, nodes, pods] = await Promise.all([
    cachedListAll(env, { resource: RESOURCES.vmis }),
    cachedListAll(env, { resource: NODES }),
    cachedListAll(env, { resource: RESOURCES.pods }),
  ]);
  const plan = planMigrations({ migrations, vmis, nodes, pods, limits: migrationLimitsOf(env), now: now.getTime() });
  const errors = (await runBounded(plan.steps.map((step) => async () => {
    try {
      await execute(env, step);
    } catch (err) {
      if (!isStale(err)) throw err;
    }
  }), PARALLEL));
  if (errors.length > 0) {
    throw new Error(`migration pass: ${errors.length} write(s) failed; first: ${errors[0] instanceof Error ? errors[0].message : String(errors[0])}`);
  }
  return plan.active ? { requeueAfterSeconds: ACTIVE_RESYNC_SECONDS } : {};
}
