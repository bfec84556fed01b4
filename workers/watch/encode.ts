/**
 * @module
 * Watch event encoding: one JSON object per event (a line on HTTP streams, a
 * text frame on WebSockets). Plain events splice the stored JSON text without
 * re-serialising it; Table watches (`kubectl get -w`) wrap each object in a
 * one-row Table, with column definitions only in the first event as the
 * apiserver does.
 */
import type { KubeObject } from "../../shared/k8s/object";
import { toTable } from "../../shared/k8s/printers/table";
import { apiVersionOf } from "../../shared/k8s/resource-kind";
import { kindByResource } from "../registry";
import type { WatchFormat } from "./watch-request";

/** Watch event types on the wire. */
export type WireEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** Content-Type of a watch response in the given format. */
export function watchContentType(format: WatchFormat): string {
  return format.kind === "table" ? `application/json;as=Table;v=${format.version};g=meta.k8s.io` : "application/json";
}

/** Encodes one ADDED/MODIFIED/DELETED event (no trailing newline). */
export function encodeEvent(
  resource: string,
  type: WireEventType,
  body: string,
  format: WatchFormat,
  withColumns: boolean,
): string {
  if (format.kind === "json") return `{"type":"${type}","object":${body}}`;
  const kind = kindByResource(resource);
  if (!kind) return `{"type":"${type}","object":${body}}`;
  const obj = JSON.parse(body) as KubeObject;
  const table = toTable(kind.printer, [obj], {
    now: new Date(),
    resourceVersion: obj.metadata.resourceVersion ?? "",
    includeObject: format.includeObject,
    omitColumns: !withColumns,
  });
  const wrapped = format.version === "v1beta1" ? { ...table, apiVersion: "meta.k8s.io/v1beta1" } : table;
  return JSON.stringify({ type, object: wrapped });
}

/** A BOOKMARK event: only the kind, apiVersion and resourceVersion (plus the initial-events-end marker). */
export function encodeBookmark(resource: string, rv: number, initialEventsEnd: boolean): string {
  const kind = kindByResource(resource);
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (initialEventsEnd) metadata.annotations = { "k8s.io/initial-events-end": "true" };
  return JSON.stringify({
    type: "BOOKMARK",
    object: { kind: kind?.kind ?? "", apiVersion: kind ? apiVersionOf(kind) : "", metadata },
  });
}

/** The ERROR event for a resourceVersion older than the retained window (410 Expired). */
export function encodeExpired(requested: number, oldest: number): string {
  return JSON.stringify({
    type: "ERROR",
    object: {
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure",
      message: `too old resource version: ${requested} (${oldest})`, reason: "Expired", code: 410,
    },
  });
}
