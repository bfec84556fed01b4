/**
 * @module
 * `kubectl get pdb` columns: upstream's printPodDisruptionBudget
 * (kubernetes pkg/printers/internalversion/printers.go, v1.32): "N/A" for
 * the bound that is not set.
 */
import type { KubeObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, NAME_COLUMN, column } from "./columns";
import { at, num } from "./fields";
import { translateTimestampSince } from "./timestamp";

const PDB_COLUMNS = [
  NAME_COLUMN,
  column("Min Available", "string", "The minimum number of pods that must be available simultaneously.  This can be either an integer or a string specifying a percentage, e.g. \"28%\"."),
  column("Max Unavailable", "string", "The maximum number of pods that may be unavailable simultaneously.  This can be either an integer or a string specifying a percentage, e.g. \"28%\"."),
  column("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
  AGE_COLUMN,
];

/** An IntOrString as upstream's `String()` prints it, or "N/A" when unset. */
function intOrString(value: unknown): string {
  if (typeof value === "number" || typeof value === "string") return String(value);
  return "N/A";
}

/** Server-side printing for PodDisruptionBudgets. */
export const podDisruptionBudgetPrinter: Printer = {
  columns: PDB_COLUMNS,
  cells(pdb: KubeObject, now: Date): TableCell[] {
    return [
      pdb.metadata.name ?? "",
      intOrString(at(pdb, "spec", "minAvailable")),
      intOrString(at(pdb, "spec", "maxUnavailable")),
      num(at(pdb, "status", "disruptionsAllowed")),
      translateTimestampSince(pdb.metadata.creationTimestamp, now),
    ];
  },
};
