/**
 * @module
 * `kubectl get quota` columns: upstream's printResourceQuota
 * (kubernetes pkg/printers/internalversion/printers.go, v1.32): every
 * resource of `status.hard`, sorted, as `name: used/hard`; names starting
 * with `limits.` go to LIMIT, the rest to REQUEST.
 */
import type { KubeObject } from "../object";
import { isJsonObject } from "../object";
import { amountOf, formatAmount } from "../quota-amount";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, NAME_COLUMN, column } from "./columns";
import { str } from "./fields";
import { translateTimestampSince } from "./timestamp";

/** `Quantity.String()` of a stored quantity; a missing one is the zero Quantity, "0". */
function quantityText(value: unknown): string {
  if (typeof value !== "string" && typeof value !== "number") return "0";
  try {
    return formatAmount(amountOf(value));
  } catch {
    return String(value);
  }
}

/** The REQUEST and LIMIT cells of a ResourceQuota-shaped status (`hard`, `used`). */
export function quotaColumns(status: unknown): [string, string] {
  const hard = isJsonObject(status) && isJsonObject(status.hard) ? status.hard : {};
  const used = isJsonObject(status) && isJsonObject(status.used) ? status.used : {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const pieces = name.split(".");
    const into = pieces.length > 1 && pieces[0] === "limits" ? limit : request;
    into.push(`${name}: ${quantityText(used[name])}/${quantityText(hard[name])}`);
  }
  return [request.join(", "), limit.join(", ")];
}

/** Server-side printing for ResourceQuotas: Name, Age, Request, Limit. */
export const resourceQuotaPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    column("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
    column("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
  ],
  cells(rq: KubeObject, now: Date): TableCell[] {
    const [request, limit] = quotaColumns(rq.status);
    return [str(rq.metadata.name), translateTimestampSince(rq.metadata.creationTimestamp, now), request, limit];
  },
};
