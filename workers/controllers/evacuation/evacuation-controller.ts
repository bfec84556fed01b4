/**
 * @module
 * The evacuation controller's executor: marks each VMI it evacuates with
 * `status.evacuationNodeName` and creates its migration (KubeVirt's
 * `GenerateNewMigration`), clears marks that no longer apply, and runs again
 * while VMIs wait for a free slot. Migrations it creates go through the same
 * migration controller, bounds and all, as any other.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { isConflict, isNotFound } from "../../client/errors";
import { cachedListAll } from "../../client/list-cache";
import { runBounded } from "../../bounded";
import { writeObject } from "../../objects/client";
import { createObject } from "../../objects/create";
import { kindByResource, objectRefOf, resourceKey } from "../../registry";
import { recordEvent } from "../shared/events";
import type { ReconcileResult } from "../runtime/reconciler";
import { RESOURCES } from "../replicaset/replicas-sync";
import { MIGRATIONS, migrationLimitsOf } from "../migration/migration-controller";
import { EVACUATION_ANNOTATION, type Evacuation, planEvacuation } from "./evacuation-plan";

const NODES = resourceKey({ group: "", plural: "nodes" });
/** How soon a pass runs again while VMIs wait for a slot. */
export const EVACUATION_RETRY_SECONDS = 5;
const COMPONENT = "disruptionbudget-controller";

async function evacuate(env: Env, e: Evacuation): Promise<void> {
  const kind = kindByResource(MIGRATIONS);
  if (!kind) throw new Error("VirtualMachineInstanceMigration is not served");
  const vmi = await writeObject(env, objectRefOf(e.vmi), {
    verb: "patch", patchType: "merge", subresource: "status", patch: { status: { evacuationNodeName: e.node } },
  });
  const namespace = e.vmi.metadata.namespace ?? "";
  const created = await createObject(env, { kind, namespace, generateName: "kubevirt-evacuation-" }, {
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration",
    metadata: { generateName: "kubevirt-evacuation-", namespace, annotations: { [EVACUATION_ANNOTATION]: e.node } },
    spec: { vmiName: e.vmi.metadata.name ?? "" },
  });
  await recordEvent(env, vmi.object, "Normal", "SuccessfulCreate",
    `Created Migration ${created.object.metadata.name ?? ""} to evacuate node ${e.node}`, COMPONENT);
}

async function clear(env: Env, vmi: KubeObject): Promise<void> {
  await writeObject(env, objectRefOf(vmi), {
    verb: "patch", patchType: "merge", subresource: "status", patch: { status: { evacuationNodeName: null } },
  });
}

/** One pass over every Node and VMI. */
export async function reconcileEvacuation(env: Env, now: Date = new Date()): Promise<ReconcileResult> {
  const [nodes, vmis, migrations] = await Promise.all([
    cachedListAll(env, { resource: NODES }),
    cachedListAll(env, { resource: RESOURCES.vmis }),
    cachedListAll(env, { resource: MIGRATIONS }),
  ]);
  const plan = planEvacuation({ nodes, vmis, migrations, limits: migrationLimitsOf(env), now: now.getTime() });
  const errors = await runBounded([
    ...plan.create.map((e) => () => evacuate(env, e)),
    ...plan.clear.map((v) => () => clear(env, v)),
  ].map((task) => async () => {
    try {
      await task();
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }), 8);
  if (errors.length > 0) {
    throw new Error(`evacuation pass: ${errors.length} write(s) failed; first: ${errors[0] instanceof Error ? errors[0].message : String(errors[0])}`);
  }
  return plan.waiting ? { requeueAfterSeconds: EVACUATION_RETRY_SECONDS } : {};
}
