/**
 * @module
 * Reconcile keys: what a queue message carries — a controller and the
 * namespace/name of the object it owns — never an event or an object
 * (controller-runtime's Request, style.md §12).
 */
import type { KubeObject } from "../../shared/k8s/object";

/** The controllers that consume keys. */
export type ControllerName = "replicaset" | "vmirs" | "virtualmachine";

/** One queue message. */
export interface ReconcileKey {
  controller: ControllerName;
  namespace: string;
  name: string;
}

/** Kinds whose own changes are reconciled by a controller. */
const OWNERS: Record<string, ControllerName> = {
  ReplicaSet: "replicaset",
  VirtualMachineInstanceReplicaSet: "vmirs",
  VirtualMachine: "virtualmachine",
};

/** Checks a queue message body. */
export function isReconcileKey(body: unknown): body is ReconcileKey {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Record<string, unknown>;
  return (
    typeof b.controller === "string" && Object.values(OWNERS).includes(b.controller as ControllerName) &&
    typeof b.namespace === "string" && typeof b.name === "string" && b.name !== ""
  );
}

/** The Durable Object name that serialises one key. */
export function keyName(key: ReconcileKey): string {
  return `${key.controller}/${key.namespace}/${key.name}`;
}

/** Whether a kind is reconciled by a controller (its collection runs the resync). */
export function isControllerKind(kind: string): boolean {
  return kind in OWNERS;
}

/**
 * The keys a committed change enqueues: an owner kind's own key, and for a
 * child the key of its controlling owner (before and after the change, so a
 * release is seen by the old owner too).
 */
export function keysForChange(obj: KubeObject, prev: KubeObject | null): ReconcileKey[] {
  const namespace = obj.metadata.namespace ?? "";
  const own = OWNERS[obj.kind];
  if (own) return [{ controller: own, namespace, name: obj.metadata.name ?? "" }];
  const keys = new Map<string, ReconcileKey>();
  for (const o of [obj, prev]) {
    for (const ref of o?.metadata.ownerReferences ?? []) {
      const controller = ref.controller ? OWNERS[ref.kind] : undefined;
      if (!controller) continue;
      const key = { controller, namespace, name: ref.name };
      keys.set(keyName(key), key);
    }
  }
  return [...keys.values()];
}
