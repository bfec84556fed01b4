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

const encoder = new TextEncoder();

/**
 * One committed event as many watchers see it: the JSON is parsed at most
 * once per event however many watchers filter it (with 1,000 watchers,
 * parsing per watcher dominated the commit).
 */
export class EventView {
  private curObj: KubeObject | undefined;
  private prevObj: KubeObject | null | undefined;
  private deletedPrev: string | undefined;
  private readonly lines = new Map<string, Uint8Array>();
  private readonly texts = new Map<string, string>();

  constructor(readonly ev: StoredEvent) {}

  /** `{"type":…,"object":…}\n` as bytes, encoded once per distinct (type, object) of this event. */
  jsonLine(type: string, body: string): Uint8Array {
    const key = `${type}/${body === this.ev.body ? "cur" : "prev"}`;
    let bytes = this.lines.get(key);
    if (!bytes) {
      bytes = encoder.encode(`{"type":"${type}","object":${body}}\n`);
      this.lines.set(key, bytes);
    }
    return bytes;
  }

  /** `{"type":…,"object":…}` as text (a WebSocket frame), built once per distinct (type, object) of this event. */
  jsonText(type: string, body: string): string {
    const key = `${type}/${body === this.ev.body ? "cur" : "prev"}`;
    let text = this.texts.get(key);
    if (text === undefined) {
      text = `{"type":"${type}","object":${body}}`;
      this.texts.set(key, text);
    }
    return text;
  }

  /** The new object. */
  cur(): KubeObject {
    this.curObj ??= JSON.parse(this.ev.body) as KubeObject;
    return this.curObj;
  }

  /** The previous object, if any. */
  prev(): KubeObject | null {
    if (this.prevObj === undefined) this.prevObj = this.ev.prev ? (JSON.parse(this.ev.prev) as KubeObject) : null;
    return this.prevObj;
  }

  /** The previous object stamped with this event's resourceVersion (a "stopped matching" DELETED). */
  prevAsDeleted(): string {
    if (this.deletedPrev === undefined) {
      const copy = JSON.parse(this.ev.prev ?? "null") as KubeObject;
      copy.metadata.resourceVersion = String(this.ev.rv);
      this.deletedPrev = JSON.stringify(copy);
    }
    return this.deletedPrev;
  }
}

/** The event a watcher with `filter` receives, or undefined. `body` is JSON text. */
export function eventFor(
  ev: StoredEvent,
  filter: ObjectFilter | undefined,
  view: EventView = new EventView(ev),
): { type: EventType; body: string } | undefined {
  if (!filter) return { type: ev.type, body: ev.body };
  const curPasses = filter(view.cur());
  if (ev.type === "DELETED") return curPasses ? { type: "DELETED", body: ev.body } : undefined;
  const prev = view.prev();
  const prevPasses = prev ? filter(prev) : false;
  if (curPasses && prevPasses) return { type: "MODIFIED", body: ev.body };
  if (curPasses) return { type: "ADDED", body: ev.body };
  if (prevPasses) return { type: "DELETED", body: view.prevAsDeleted() };
  return undefined;
}
