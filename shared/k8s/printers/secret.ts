/**
 * @module
 * `kubectl get secrets` columns: upstream's printSecret (kubernetes
 * pkg/printers/internalversion/printers.go, v1.32): Name, Type, the number
 * of data keys, Age. Never the data itself.
 */
import type { KubeObject } from "../object";
import { isJsonObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, NAME_COLUMN, column } from "./columns";
import { translateTimestampSince } from "./timestamp";

/** Server-side printing for Secrets. */
export const secretPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column("Type", "string", "The type of secret"),
    column("Data", "string", "The number of data keys in the secret"),
    AGE_COLUMN,
  ],
  cells(secret: KubeObject, now: Date): TableCell[] {
    const data = isJsonObject(secret.data) ? Object.keys(secret.data).length : 0;
    const type = typeof secret.type === "string" ? secret.type : "";
    return [String(secret.metadata.name ?? ""), type, data, translateTimestampSince(secret.metadata.creationTimestamp, now)];
  },
};
