/**
 * @module
 * A watch request as the front validates it and the stores serve it. Parsed
 * once in the front (so bad input is a 400/422 before any stream opens) and
 * passed to a store as plain data.
 */
import { badRequest, invalid } from "../../shared/k8s/errors";
import { parseFieldSelector } from "../../shared/k8s/fields";
import { parseLabelSelector } from "../../shared/k8s/labels";
import { parseResourceVersion } from "../objects/collection-list";
import { fieldGetter } from "../registry-fields";

/** How each event's object is rendered. */
export type WatchFormat = { kind: "json" } | { kind: "table"; version: "v1" | "v1beta1"; includeObject: "None" | "Metadata" | "Object" };

/** Everything a store needs to serve one watch. */
export interface WatchRequest {
  /** Registry key of the resource. */
  resource: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this resourceVersion; undefined = send the current state first ("0" or unset). */
  resourceVersion?: number;
  /** Send synthetic ADDED events for the current state first. */
  sendInitialEvents: boolean;
  /** Watch-list (`sendInitialEvents=true`): end the initial events with the `k8s.io/initial-events-end` BOOKMARK. */
  initialEventsEndBookmark: boolean;
  allowWatchBookmarks: boolean;
  /** Close the stream after this many seconds. */
  timeoutSeconds?: number;
  format: WatchFormat;
  /** Who watches (the per-user watcher cap counts by it). */
  user?: string;
}

/** The apiserver's `--min-request-timeout` (1800 s): a watch lasts between it and twice it. */
export const MIN_REQUEST_TIMEOUT_SECONDS = 1800;

/**
 * The server-side length of a watch. Upstream (endpoints/handlers/get.go)
 * uses the client's `timeoutSeconds`, or, when it is unset or 0, a random
 * duration in [min-request-timeout, 2×min-request-timeout) so that clients
 * do not all reconnect at once. Here the client's value is also capped by
 * that random duration: no watch outlives 2×1800 s, however large the
 * number it asked for.
 */
export function watchTimeoutSeconds(requested: number | undefined, random: number = Math.random()): number {
  const cap = MIN_REQUEST_TIMEOUT_SECONDS * (1 + random);
  return requested === undefined || requested === 0 ? cap : Math.min(requested, cap);
}

function parseBool(value: string | null, name: string): boolean {
  if (value === null || value === "" || value === "false" || value === "0") return false;
  if (value === "true" || value === "1") return true;
  throw badRequest(`${name}: invalid value "${value}": must be true or false`);
}

/** Parses and validates the query of a watch request. */
export function parseWatchRequest(
  resource: string,
  namespace: string | undefined,
  q: URLSearchParams,
  format: WatchFormat,
  user?: string,
): WatchRequest {
  const labelSelector = q.get("labelSelector") ?? "";
  const fieldSelector = q.get("fieldSelector") ?? "";
  if (labelSelector) parseLabelSelector(labelSelector);
  if (fieldSelector) fieldGetter(resource, parseFieldSelector(fieldSelector).fields());
  const rv = parseResourceVersion(q.get("resourceVersion") ?? undefined);
  const match = q.get("resourceVersionMatch") ?? "";
  const sendInitialParam = q.get("sendInitialEvents");
  const sendInitial = parseBool(sendInitialParam, "sendInitialEvents");
  if (sendInitialParam !== null && match !== "NotOlderThan") {
    throw invalid("WatchOptions", "", [{
      reason: "FieldValueForbidden", field: "resourceVersionMatch",
      message: "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
    }], "meta.k8s.io");
  }
  if (match !== "" && match !== "NotOlderThan") {
    throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values for watch: "NotOlderThan"`);
  }
  const timeoutText = q.get("timeoutSeconds");
  let timeoutSeconds: number | undefined;
  if (timeoutText !== null && timeoutText !== "") {
    if (!/^[0-9]+$/.test(timeoutText)) throw badRequest(`timeoutSeconds: invalid value "${timeoutText}"`);
    timeoutSeconds = Number(timeoutText);
  }
  timeoutSeconds = watchTimeoutSeconds(timeoutSeconds);
  const req: WatchRequest = {
    resource,
    sendInitialEvents: sendInitialParam !== null ? sendInitial : rv === undefined,
    resourceVersion: rv,
    allowWatchBookmarks: parseBool(q.get("allowWatchBookmarks"), "allowWatchBookmarks"),
    initialEventsEndBookmark: sendInitial && parseBool(q.get("allowWatchBookmarks"), "allowWatchBookmarks"),
    timeoutSeconds,
    format,
  };
  if (namespace !== undefined) req.namespace = namespace;
  if (user !== undefined) req.user = user;
  if (labelSelector) req.labelSelector = labelSelector;
  if (fieldSelector) req.fieldSelector = fieldSelector;
  return req;
}

/** The object name a watch is restricted to by `metadata.name=…`, if any. */
export function watchedName(req: WatchRequest): string | undefined {
  if (!req.fieldSelector) return undefined;
  return parseFieldSelector(req.fieldSelector).requiresExactMatch("metadata.name");
}
