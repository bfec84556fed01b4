/**
 * @module
 * `kubectl get configmaps` columns: upstream's printConfigMap (kubernetes
 * pkg/printers/internalversion/printers.go, v1.32): Name, the number of keys
 * in data and binaryData, Age.
 */
import type { KubeObject } from "../object";
import { isJsonObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, NAME_COLUMN, column } from "./columns";
import { translateTimestampSince } from "./timestamp";

const keys = (v: unknown): number => (isJsonObject(v) ? Object.keys(v).length : 0);

/** Server-side printing for ConfigMaps. */
export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, column("Data", "string", "The number of data and binaryData keys"), AGE_COLUMN],
  cells(cm: KubeObject, now: Date): TableCell[] {
    return [String(cm.metadata.name ?? ""), keys(cm.data) + keys(cm.binaryData), translateTimestampSince(cm.metadata.creationTimestamp, now)];
  },
};
