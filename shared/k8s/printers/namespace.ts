/**
 * @module
 * `kubectl get ns` columns: upstream's printNamespace
 * (kubernetes pkg/printers/internalversion/printers.go, v1.32).
 */
import type { KubeObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, NAME_COLUMN, column } from "./columns";
import { at, str } from "./fields";
import { translateTimestampSince } from "./timestamp";

/** Server-side printing for Namespaces: Name, Status (status.phase), Age. */
export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, column("Status", "string", "The status of the namespace"), AGE_COLUMN],
  cells(ns: KubeObject, now: Date): TableCell[] {
    return [
      str(ns.metadata.name),
      str(at(ns, "status", "phase")),
      translateTimestampSince(ns.metadata.creationTimestamp, now),
    ];
  },
};
