/**
 * @module
 * KubeVirt's `migration-create-validator.kubevirt.io` webhook
 * (pkg/virt-api/webhooks/validating-webhook/admitters/migration-create-admitter.go),
 * the checks that read the VMI: it must exist, not be final, be Running, not
 * be reported non-migratable (`LiveMigratable=False`), and have no migration
 * in flight. Refusals read as the apiserver words a webhook's denial (422).
 * The migration controller checks the same again when it hands over, so two
 * creates racing past this both cannot start.
 */
import { ApiError } from "../../shared/k8s/errors";
import type { Json, KubeObject } from "../../shared/k8s/object";
import { findObject } from "../objects/client";
import { RESOURCES } from "../controllers/replicaset/replicas-sync";
import { getCondition, isDeleting, phaseOf, specOf, stringField } from "../controllers/shared/object-fields";
import { isStateActive, migrationStateOf } from "../controllers/migration/migration-fields";

/** The webhook's name, as the apiserver quotes it in a denial. */
export const MIGRATION_CREATE_VALIDATOR = "migration-create-validator.kubevirt.io";

function denied(message: string): ApiError {
  return new ApiError(422, "Invalid", `admission webhook "${MIGRATION_CREATE_VALIDATOR}" denied the request: ${message}`);
}

/** Refuses (422) a migration of `vmiName` in `namespace` that KubeVirt's webhook would refuse. */
export async function admitMigrationCreate(env: Env, namespace: string, vmiName: string): Promise<void> {
  if (vmiName === "") return; // the strategy's validation answers "vmiName is missing"
  const vmi = await findObject(env, { resource: RESOURCES.vmis, namespace, name: vmiName });
  if (!vmi) throw denied(`the VMI "${namespace}/${vmiName}" does not exist`);
  checkMigratable(vmi);
}

/** The checks on the VMI itself (also the `migrate` subresource's). */
export function checkMigratable(vmi: KubeObject): void {
  const name = vmi.metadata.name ?? "";
  const phase = phaseOf(vmi);
  if (phase === "Succeeded" || phase === "Failed") throw denied("Cannot migrate VMI in finalized state.");
  if (phase !== "Running" || isDeleting(vmi)) throw denied(`Cannot migrate VMI ${name} that is not running (phase ${phase || "Pending"}).`);
  const cond = getCondition(vmi, "LiveMigratable");
  if (cond?.status === "False") throw denied(`Cannot migrate VMI, Reason: ${cond.reason ?? ""}, Message: ${cond.message ?? ""}`);
  const state = migrationStateOf(vmi);
  if (isStateActive(state)) {
    throw denied(`in-flight migration detected. Active migration job (${state.migrationUid ?? ""}) is currently already in progress for VMI ${name}.`);
  }
}

/** The hook createHandler calls for kinds with a create webhook: only migrations here. */
export async function admitKindCreate(env: Env, resource: string, namespace: string, body: Json): Promise<void> {
  if (resource !== "kubevirt.io/virtualmachineinstancemigrations") return;
  const spec = specOf(body as unknown as KubeObject);
  await admitMigrationCreate(env, namespace, stringField(spec, "vmiName"));
}
