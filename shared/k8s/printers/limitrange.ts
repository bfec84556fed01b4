/**
 * @module
 * `kubectl get limits` columns: upstream's printLimitRange
 * (pkg/printers/internalversion/printers.go, v1.32): Name and Created At
 * (the creation time in RFC 3339, UTC).
 */
import type { KubeObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { NAME_COLUMN, OBJECT_META_CREATION_TIMESTAMP_DESCRIPTION, column } from "./columns";
import { str } from "./fields";

/** Server-side printing for LimitRanges. */
export const limitRangePrinter: Printer = {
  columns: [NAME_COLUMN, column("Created At", "date", OBJECT_META_CREATION_TIMESTAMP_DESCRIPTION)],
  cells(lr: KubeObject): TableCell[] {
    const at = lr.metadata.creationTimestamp;
    return [str(lr.metadata.name), at ? new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z") : ""];
  },
};
