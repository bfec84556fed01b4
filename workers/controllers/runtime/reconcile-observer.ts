/**
 * @module
 * The controllers as the observer of committed changes: a change enqueues
 * the reconcile keys keys.ts derives from it, and the resync every object's
 * keys once (many pending pods are one scheduler key).
 */
import type { KubeObject } from "../../../shared/k8s/object";
import type { ChangeObserver } from "../../objects/change-observer";
import { hasResync, keyName, keysForChange, resyncKeys, type ReconcileKey } from "./keys";

/** Registered by workers/index.ts with observeChanges. */
export const reconcileObserver: ChangeObserver = {
  resyncs: hasResync,
  keysForChange,
  resyncKeys(objects: Iterable<KubeObject>): ReconcileKey[] {
    const unique = new Map<string, ReconcileKey>();
    for (const obj of objects) for (const key of resyncKeys(obj)) unique.set(keyName(key), key);
    return [...unique.values()];
  },
};
