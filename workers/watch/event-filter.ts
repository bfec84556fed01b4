/**
 * @module
 * Which event a watcher sees for a committed change, with the apiserver's
 * selector transition rule (storage/cacher cacheWatcher.convertToWatchEvent):
 * an object that starts matching arrives as ADDED, one that stops matching
 * as DELETED (its previous state at the event's resourceVersion).
 */
import { parseFieldSelector } from "../../shared/k8s/fields";
import { parseLabelSelector } from "../../shared/k8s/labels";
import type { KubeObject } from "../../shared/k8s/object";
import type { EventType } from "../objects/collection-store";
import { fieldGetter } from "../registry-fields";
import type { WatchRequest } from "./watch-request";

/** A predicate over objects built from a watch's namespace and selectors. */
export type ObjectFilter = (obj: KubeObject) => boolean;

/** Builds the filter of a watch request (undefined when everything matches). */
export function filterOf(req: WatchRequest): ObjectFilter | undefined {
  const labels = req.labelSelector ? parseLabelSelector(req.labelSelector) : undefined;
  const fields = req.fieldSelector ? parseFieldSelector(req.fieldSelector) : undefined;
  const get = fields ? fieldGetter(req.resource, fields.fields()) : undefined;
  const ns = req.namespace;
  if (!labels && !fields && ns === undefined) return undefined;
  return (obj) =>
    (ns === undefined || (obj.metadata.namespace ?? "") === ns) &&
    (!labels || labels.matches(obj.metadata.labels ?? {})) &&
    (!fields || !get || fields.matches((f) => get(obj, f)));
}

/** A committed change as stores keep it: JSON text of the new and previous object. */
export interface StoredEvent {
  rv: number;
  type: EventType;
  body: string;
  prev: string | null;
}

/** The event a watcher with `filter` receives, or undefined. `body` is JSON text. */
export function eventFor(ev: StoredEvent, filter: ObjectFilter | undefined): { type: EventType; body: string } | undefined {
  if (!filter) return { type: ev.type, body: ev.body };
  const cur = JSON.parse(ev.body) as KubeObject;
  const curPasses = filter(cur);
  if (ev.type === "DELETED") return curPasses ? { type: "DELETED", body: ev.body } : undefined;
  const prev = ev.prev ? (JSON.parse(ev.prev) as KubeObject) : undefined;
  const prevPasses = prev ? filter(prev) : false;
  if (curPasses && prevPasses) return { type: "MODIFIED", body: ev.body };
  if (curPasses) return { type: "ADDED", body: ev.body };
  if (prevPasses && prev) {
    prev.metadata.resourceVersion = String(ev.rv);
    return { type: "DELETED", body: JSON.stringify(prev) };
  }
  return undefined;
}
