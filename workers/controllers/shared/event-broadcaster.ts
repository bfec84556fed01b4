/**
 * @module
 * Events recorded off the caller's path, as client-go's broadcaster records
 * them: `Eventf` hands the Event to a bounded queue and returns at once, and a
 * full queue drops it (`watch.NewLongQueueBroadcaster(maxQueuedEvents,
 * watch.DropIfChannelFull)`). A scheduler pass that binds 500 pods then waits
 * for 500 binds, not for 500 binds and 500 Event creates one after the other
 * (each a new object), and a reconcile never fails or slows for an Event.
 * @see https://github.com/kubernetes/client-go/blob/master/tools/record/event.go
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { type EventType, recordEvent } from "./events";

/** client-go's maxQueuedEvents: Events in flight at once per isolate; more are dropped. */
export const MAX_QUEUED_EVENTS = 1000;

const inFlight = new Set<Promise<void>>();
let droppedEvents = 0;

/**
 * Records an Event (see {@link recordEvent}: deduplicated, spam-filtered,
 * never throws) without waiting for it; drops it when
 * {@link MAX_QUEUED_EVENTS} are already being written.
 */
export function emitEvent(env: Env, involved: KubeObject, type: EventType, reason: string, message: string, component: string): void {
  if (inFlight.size >= MAX_QUEUED_EVENTS) {
    if (droppedEvents++ % 100 === 0) console.warn(`Event queue full: ${droppedEvents} Events dropped so far (the latest ${reason} on ${involved.kind} ${involved.metadata.name ?? ""})`);
    return;
  }
  const written: Promise<void> = recordEvent(env, involved, type, reason, message, component).finally(() => {
    inFlight.delete(written);
  });
  inFlight.add(written);
}

/** Resolves once every Event emitted so far is written (a Reconciler keeps its object alive until then). */
export async function eventsWritten(): Promise<void> {
  while (inFlight.size > 0) await Promise.all([...inFlight]);
}
