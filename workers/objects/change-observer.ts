/**
 * @module
 * Who is told about committed changes. Storage does not know its observers
 * (the controllers): the Worker's wiring (workers/index.ts) registers one
 * when the script loads, and the collection store asks it which messages a
 * change enqueues on the reconcile queue.
 */
import type { KubeObject } from "../../shared/k8s/object";
import type { EventType } from "./collection-store";

/** What a collection store asks about a committed change. */
export interface ChangeObserver {
  /** Whether objects of `kind` are enqueued again periodically (the resync). */
  resyncs(kind: string): boolean;
  /** The messages a committed change enqueues (`prev`: the state before, null on create). */
  keysForChange(obj: KubeObject, prev: KubeObject | null, type: EventType): unknown[];
  /** The messages the resync enqueues for these stored objects, without duplicates. */
  resyncKeys(objects: Iterable<KubeObject>): unknown[];
}

let registered: ChangeObserver | undefined;

/** Registers the observer of every collection's changes (once, at wiring time). */
export function observeChanges(observer: ChangeObserver): void {
  registered = observer;
}

/** The registered observer; none means changes enqueue nothing. */
export function changeObserver(): ChangeObserver | undefined {
  return registered;
}
