/**
 * @module
 * Controllers' `v1` Events, deduplicated as client-go's EventCorrelator
 * (tools/record events_cache.go) does: an Event with the same source,
 * involved object, type, reason and message as one already recorded bumps
 * that Event's `count` and `lastTimestamp` instead of adding a new one, so
 * `kubectl describe` shows "(x3 over 2m)" rather than three rows; and
 * rate-limited per source and object as its spam filter does.
 */
import type { Json, KubeObject } from "../../../shared/k8s/object";
import { getObject } from "../../objects/client";
import { createObject } from "../../objects/create";
import { kindByResource, resourceKey } from "../../registry";
import { SpamFilter } from "./event-spam-filter";
import { isAlreadyExists, isStale } from "../../client/errors";
import { patchGuarded } from "../../client/patch-guarded";
import { formatTime } from "../../../shared/k8s/time";

/** `v1.EventTypeNormal` / `v1.EventTypeWarning`. */
export type EventType = "Normal" | "Warning";

const EVENTS = resourceKey({ group: "", plural: "events" });
/** Create/bump rounds before giving up: each lost race re-reads the Event. */
const RECORD_ATTEMPTS = 4;
/** A DNS-1123 subdomain is at most 253 characters; the suffix takes 17 of them. */
const MAX_NAME_PREFIX = 253 - 17;

/**
 * The Event's name: `<involved name>.<16 hex digits of SHA-256 over uid,
 * type, reason, message, component>`. Upstream names Events
 * `<name>.<hex UnixNano>` and finds the earlier one through the recorder's
 * in-memory LRU cache (getEventKey). A Worker has no memory that outlives
 * one request, so the key itself becomes the name: the same occurrence
 * always lands on the same object and the store is the cache. The uid keeps
 * Events of a deleted-and-recreated owner of the same name apart.
 */
export async function eventName(involved: KubeObject, type: EventType, reason: string, message: string, component: string): Promise<string> {
  const key = [involved.metadata.uid ?? "", type, reason, message, component].join("\u0000");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
  let hex = "";
  for (const b of digest.subarray(0, 8)) hex += b.toString(16).padStart(2, "0");
  const prefix = (involved.metadata.name ?? "").slice(0, MAX_NAME_PREFIX).replace(/[^a-z0-9]+$/, "");
  return `${prefix}.${hex}`;
}

/** `count` of a stored Event (a missing or odd value counts as one occurrence, as upstream's zero count). */
function countOf(event: KubeObject): number {
  const n = event.count;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : 1;
}

async function createOrBump(env: Env, involved: KubeObject, type: EventType, reason: string, message: string, component: string): Promise<void> {
  const kind = kindByResource(EVENTS);
  if (!kind) throw new Error("Event is not registered");
  const namespace = involved.metadata.namespace || "default";
  const name = await eventName(involved, type, reason, message, component);
  for (let attempt = 1; ; attempt++) {
    const now = formatTime(Date.now());
    const event: Json = {
      apiVersion: "v1", kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: involved.apiVersion, kind: involved.kind, namespace: involved.metadata.namespace ?? "",
        name: involved.metadata.name ?? "", uid: involved.metadata.uid ?? "", resourceVersion: involved.metadata.resourceVersion ?? "",
      },
      reason, message, type,
      source: { component },
      firstTimestamp: now, lastTimestamp: now, count: 1,
      reportingComponent: component,
    };
    try {
      await createObject(env, { kind, namespace, name }, event);
      return;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    // The correlator's patch: only count and lastTimestamp move; the test
    // makes a concurrent bump lose cleanly instead of being overwritten.
    try {
      const existing = await getObject(env, { resource: EVENTS, namespace, name });
      await patchGuarded(env, EVENTS, existing, [
        { op: "add", path: "/count", value: countOf(existing) + 1 },
        { op: "add", path: "/lastTimestamp", value: now },
      ]);
      return;
    } catch (err) {
      // 404: expired or deleted in between, create it afresh; 409/422: a concurrent bump won.
      if (!isStale(err) || attempt >= RECORD_ATTEMPTS) throw err;
    }
  }
}

/** One filter per isolate, as client-go keeps one per recorder. */
const spamFilter = new SpamFilter();

/**
 * Records `reason`/`message` about `involved` as a `v1` Event from
 * `component` (EventRecorder.Eventf). Never throws: as upstream, where
 * events go through a best-effort broadcaster, a lost Event must not fail
 * the reconcile that caused it.
 */
export async function recordEvent(env: Env, involved: KubeObject, type: EventType, reason: string, message: string, component: string): Promise<void> {
  // Upstream's spam key: the source and the involved object (getSpamKey).
  const spamKey = [component, involved.apiVersion, involved.kind, involved.metadata.namespace ?? "", involved.metadata.name ?? "", involved.metadata.uid ?? ""].join("/");
  if (!spamFilter.allow(spamKey, Date.now())) return;
  try {
    await createOrBump(env, involved, type, reason, message, component);
  } catch (err) {
    console.error(`could not record ${type} Event ${reason} on ${involved.kind} ${involved.metadata.namespace ?? ""}/${involved.metadata.name ?? ""}`, err);
  }
}
