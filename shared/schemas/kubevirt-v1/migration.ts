/**
 * @module
 * `kubevirt.io/v1` VirtualMachineInstanceMigration: one live migration of
 * one VMI. Schema (KubeVirt's `VirtualMachineInstanceMigrationSpec`/`Status`
 * and the VMI's `VirtualMachineInstanceMigrationState`), and the checks of
 * KubeVirt's migration admitters that need nothing but the object itself
 * (migration-create-admitter.go, migration-update-admitter.go); the checks
 * that read the VMI live in workers/api/migration-admission.ts.
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import { jsonEqual } from "../../k8s/json-value";
import type { Json, KubeObject } from "../../k8s/object";
import { validateObjectMeta } from "../../k8s/validation";
import { asKind, conditionSchema, TimeSchema, typeAndObjectMeta, type KindStrategy } from "../meta";
import { phaseTransitionTimestampsSchema } from "./phase-transitions";
import { KUBEVIRT_V1 } from "./vmi-spec";
import { kvCause } from "./vmi-validation";

/** KubeVirt's `MigrationPhase` values, in the order a migration passes them. */
export const MIGRATION_PHASES = [
  "Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running", "Succeeded", "Failed",
] as const;

/** One of MIGRATION_PHASES. */
export type MigrationPhase = (typeof MIGRATION_PHASES)[number];

/** `v1.VirtualMachineInstanceMigrationState`: the state of a VMI's latest migration, in the VMI's status. */
export const MigrationStateSchema = z
  .object({
    migrationUid: z.string().optional().describe("The VirtualMachineInstanceMigration this state belongs to."),
    sourceNode: z.string().optional().describe("The node the VMI migrates from."),
    targetNode: z.string().optional().describe("The node the VMI migrates to."),
    targetNodeAddress: z.string().optional().describe("Where the target host listens for the migration (host:port)."),
    targetNodeDomainDetected: z.boolean().optional().describe("The target host runs the domain."),
    targetNodeDomainReadyTimestamp: TimeSchema.optional().describe("When the domain ran on the target."),
    startTimestamp: TimeSchema.optional().describe("When the source began sending."),
    endTimestamp: TimeSchema.optional().describe("When the migration ended."),
    completed: z.boolean().optional().describe("The source finished sending the guest's state."),
    failed: z.boolean().optional().describe("The migration failed or was aborted."),
    failureReason: z.string().optional().describe("Why it failed."),
    abortRequested: z.boolean().optional().describe("The migration object was deleted before the handover: abort."),
    abortStatus: z.string().optional().describe("Outcome of an abort: Aborting, Succeeded or Failed."),
    mode: z.string().optional().describe("Migration mode: PreCopy (the only one here) or PostCopy."),
  })
  .meta({ id: `${KUBEVIRT_V1}.VirtualMachineInstanceMigrationState`, description: "State of a VMI's latest live migration." });

/** A VMI's `status.migrationState`. */
export type MigrationState = z.infer<typeof MigrationStateSchema>;

/** `kubevirt.io/v1` VirtualMachineInstanceMigration. */
export const VirtualMachineInstanceMigrationSchema = z
  .object({
    ...typeAndObjectMeta("VirtualMachineInstanceMigration"),
    spec: z
      .object({
        vmiName: z.string().optional().describe("Name of the VMI to migrate, in the migration's namespace."),
      })
      .meta({ id: `${KUBEVIRT_V1}.VirtualMachineInstanceMigrationSpec`, description: "Which VMI to migrate." })
      .describe("Which VMI to migrate."),
    status: z
      .object({
        phase: z.string().optional().describe("Phase: Pending, Scheduling, Scheduled, PreparingTarget, TargetReady, Running, Succeeded or Failed."),
        phaseTransitionTimestamps: phaseTransitionTimestampsSchema("One entry per phase entered, with the time."),
        conditions: z
          .array(
            conditionSchema(`${KUBEVIRT_V1}.VirtualMachineInstanceMigrationCondition`, "A condition of a migration.", [
              "lastProbeTime",
              "lastTransitionTime",
            ] as const),
          )
          .optional()
          .describe("Conditions of the migration."),
        migrationState: MigrationStateSchema.optional().describe("The migration's state, as copied from the VMI."),
      })
      .meta({ id: `${KUBEVIRT_V1}.VirtualMachineInstanceMigrationStatus`, description: "Observed state of a migration." })
      .optional()
      .describe("Observed state of the migration. Written by the migration controller."),
  })
  .meta({
    id: `${KUBEVIRT_V1}.VirtualMachineInstanceMigration`,
    description: "VirtualMachineInstanceMigration represents the object tracking a VMI's migration to another host in the cluster.",
    "x-kubernetes-group-version-kind": [{ group: "kubevirt.io", version: "v1", kind: "VirtualMachineInstanceMigration" }],
  });

/** A kubevirt.io/v1 VirtualMachineInstanceMigration. */
export type VirtualMachineInstanceMigration = z.infer<typeof VirtualMachineInstanceMigrationSchema>;

/**
 * ValidateVirtualMachineInstanceMigrationSpec (vmiName required) on create;
 * migration-update-admitter on update: the spec never changes.
 */
export function validateMigration(m: VirtualMachineInstanceMigration, old?: VirtualMachineInstanceMigration): StatusCause[] {
  const causes = validateObjectMeta(m.metadata as KubeObject["metadata"], { namespaced: true });
  if (old) {
    const strip = (v: object): Json => JSON.parse(JSON.stringify(v)) as Json;
    if (!jsonEqual(strip(m.spec), strip(old.spec))) causes.push(kvCause("FieldValueInvalid", "update of Migration object's spec is restricted", "spec"));
    return causes;
  }
  if (!m.spec.vmiName) causes.push(kvCause("FieldValueRequired", "vmiName is missing", "spec.vmiName"));
  return causes;
}

/** The VirtualMachineInstanceMigration strategy. */
export const virtualMachineInstanceMigrationStrategy: KindStrategy<typeof VirtualMachineInstanceMigrationSchema> = {
  schema: VirtualMachineInstanceMigrationSchema,
  applyDefaults(): void {},
  validate(obj: KubeObject, old?: KubeObject): StatusCause[] {
    return validateMigration(
      asKind<VirtualMachineInstanceMigration>(obj),
      old ? asKind<VirtualMachineInstanceMigration>(old) : undefined,
    );
  },
};
