/**
 * @module
 * `kubectl get clusterquota` columns: as a ResourceQuota's (NAME, AGE,
 * REQUEST, LIMIT), read from `status.total`.
 */
import type { KubeObject } from "../object";
import { isJsonObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { str } from "./fields";
import { quotaColumns, resourceQuotaPrinter } from "./resourcequota";
import { translateTimestampSince } from "./timestamp";

/** Server-side printing for ClusterResourceQuotas. */
export const clusterResourceQuotaPrinter: Printer = {
  columns: resourceQuotaPrinter.columns,
  cells(crq: KubeObject, now: Date): TableCell[] {
    const total = isJsonObject(crq.status) ? crq.status.total : undefined;
    const [request, limit] = quotaColumns(total);
    return [str(crq.metadata.name), translateTimestampSince(crq.metadata.creationTimestamp, now), request, limit];
  },
};
