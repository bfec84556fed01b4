/**
 * @module
 * KubeVirt's `phaseTransitionTimestamps` (VirtualMachineInstancePhaseTransitionTimestamp and the
 * migration's), one entry per phase entered, shared by the VMI and the migration status.
 */
import { z } from "zod";
import { TimeSchema } from "../meta";

/** The list, described as its owner describes it. */
export function phaseTransitionTimestampsSchema(description: string) {
  return z
    .array(
      z.object({
        phase: z.string().optional().describe("The phase entered."),
        phaseTransitionTimestamp: TimeSchema.optional().describe("When the phase was entered."),
      }),
    )
    .optional()
    .describe(description);
}
