/**
 * @module
 * Reconcile keys: what a queue message carries — a controller and the
 * namespace/name of the object it owns — never an event or an object
 * (controller-runtime's Request, style.md §12).
 */
import type { KubeObject } from "../../../shared/k8s/object";
import type { EventType } from "../../objects/collection-store";
import { KINDS, resourceKey } from "../../registry";
import { isSchedulingKind, schedulingKeys } from "../scheduler/scheduling-keys";
import { aggregationKeys, isAggregationKind } from "../clusterroleaggregation/aggregation-keys";
import { SERVICE_ACCOUNTS_CONTROLLER, serviceAccountsNamespaceFor } from "../serviceaccounts/serviceaccounts-keys";
import { DISRUPTION_CONTROLLER, disruptionNamespaceFor, isDisruptionKind } from "../disruption/disruption-keys";
import { isMigrationKind, migrationKeys } from "../migration/migration-keys";

/** The controllers that consume keys. */
export type ControllerName =
  | "replicaset" | "deployment" | "vmirs" | "vmpool" | "virtualmachine" | "garbagecollector" | "scheduler" | "vmitermination" | "nodelifecycle"
  | "clusterroleaggregation"
  | "serviceaccounts"
  | "resourcequota" | "limitrange" | "clusterresourcequota"
  | "disruption"
  | "migration" | "evacuation";

/** Controllers keyed by an object that is not their owner kind (see scheduling-keys.ts). */
const SCHEDULING_CONTROLLERS: readonly ControllerName[] = [
  "scheduler", "vmitermination", "nodelifecycle", "clusterroleaggregation", "migration", "evacuation",
];
/** Controllers keyed by a namespace (serviceaccounts-keys.ts). */
const NAMESPACE_CONTROLLERS: readonly ControllerName[] = [SERVICE_ACCOUNTS_CONTROLLER, DISRUPTION_CONTROLLER];

/** The garbage collector's controller name (kube-controller-manager's "garbagecollector"). */
export const GARBAGE_COLLECTOR = "garbagecollector";

/** One queue message. */
export interface ReconcileKey {
  controller: ControllerName;
  namespace: string;
  name: string;
  /** Garbage collector keys: the owner's uid (a recreated owner of the same name is another owner). */
  uid?: string;
  /** Garbage collector keys: the owner's registry key, e.g. "apps/replicasets". */
  resource?: string;
}

/** The finalizers DELETE records for propagationPolicy Orphan and Foreground (metav1.FinalizerOrphanDependents, FinalizerDeleteDependents). */
export const ORPHAN_FINALIZER = "orphan";
/** See ORPHAN_FINALIZER. */
export const FOREGROUND_FINALIZER = "foregroundDeletion";

/** Kinds whose own changes are reconciled by a controller. */
const OWNERS: Record<string, ControllerName> = {
  ReplicaSet: "replicaset",
  Deployment: "deployment",
  VirtualMachineInstanceReplicaSet: "vmirs",
  VirtualMachinePool: "vmpool",
  VirtualMachine: "virtualmachine",
  ResourceQuota: "resourcequota",
  LimitRange: "limitrange",
  ClusterResourceQuota: "clusterresourcequota",
};

/** Checks a queue message body. */
export function isReconcileKey(body: unknown): body is ReconcileKey {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Record<string, unknown>;
  if (b.controller === GARBAGE_COLLECTOR) {
    return typeof b.namespace === "string" && typeof b.name === "string" && b.name !== "" &&
      typeof b.uid === "string" && b.uid !== "" && typeof b.resource === "string" && b.resource !== "";
  }
  return (
    typeof b.controller === "string" &&
    (Object.values(OWNERS).includes(b.controller as ControllerName) || SCHEDULING_CONTROLLERS.includes(b.controller as ControllerName) ||
      NAMESPACE_CONTROLLERS.includes(b.controller as ControllerName)) &&
    typeof b.namespace === "string" && typeof b.name === "string" && b.name !== ""
  );
}

/** The Durable Object name that serialises one key. */
export function keyName(key: ReconcileKey): string {
  if (key.controller === GARBAGE_COLLECTOR) {
    return `${key.controller}/${key.resource ?? ""}/${key.namespace}/${key.name}/${key.uid ?? ""}`;
  }
  return `${key.controller}/${key.namespace}/${key.name}`;
}

/** Whether a kind is reconciled by a controller (its collection runs the resync). */
export function isControllerKind(kind: string): boolean {
  return kind in OWNERS;
}

/**
 * The garbage collector's key for `obj`, when the change concerns its
 * dependents: a controller kind (the kinds that own children here) was
 * deleted, or a deleting object is held by `orphan` / `foregroundDeletion`
 * (upstream's graph builder queues both to attemptToDelete/attemptToOrphan).
 */
function garbageKey(obj: KubeObject, type: EventType | undefined): ReconcileKey | undefined {
  const uid = obj.metadata.uid;
  if (!uid) return undefined;
  const finalizers = obj.metadata.finalizers ?? [];
  const held = obj.metadata.deletionTimestamp !== undefined &&
    (finalizers.includes(ORPHAN_FINALIZER) || finalizers.includes(FOREGROUND_FINALIZER));
  if (!held && !(type === "DELETED" && obj.kind in OWNERS)) return undefined;
  const kind = KINDS.find((k) => k.kind === obj.kind);
  if (!kind) return undefined;
  return {
    controller: GARBAGE_COLLECTOR, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "",
    uid, resource: resourceKey(kind),
  };
}

/**
 * The keys a committed change enqueues: an owner kind's own key, for a child
 * the key of its controlling owner (before and after the change, so a release
 * is seen by the old owner too), the garbage collector's key (see
 * `garbageKey`; `type` is the event type, undefined for a resync), and for
 * Pods, VMIs and Nodes the scheduling controllers' keys (scheduling-keys.ts).
 */
export function keysForChange(obj: KubeObject, prev: KubeObject | null, type?: EventType): ReconcileKey[] {
  const namespace = obj.metadata.namespace ?? "";
  const gc = garbageKey(obj, type);
  const own = OWNERS[obj.kind];
  const keys = new Map<string, ReconcileKey>();
  if (gc) keys.set(keyName(gc), gc);
  if (own) {
    // A controller kind can itself be a child (a Deployment's ReplicaSets): its owner hears of it too.
    const self: ReconcileKey = { controller: own, namespace, name: obj.metadata.name ?? "" };
    return [self, ...(gc ? [gc] : []), ...ownerKeys(obj, prev, namespace).filter((k) => keyName(k) !== keyName(self))];
  }
  for (const key of schedulingKeys(obj, prev, type)) keys.set(keyName(key), key);
  for (const key of aggregationKeys(obj)) keys.set(keyName(key), key);
  for (const key of migrationKeys(obj, prev, type)) keys.set(keyName(key), key);
  const saNamespace = serviceAccountsNamespaceFor(obj, type);
  if (saNamespace) {
    const key: ReconcileKey = { controller: SERVICE_ACCOUNTS_CONTROLLER, namespace: "", name: saNamespace };
    keys.set(keyName(key), key);
  }
  const pdbNamespace = disruptionNamespaceFor(obj, prev, type);
  if (pdbNamespace) {
    const key: ReconcileKey = { controller: DISRUPTION_CONTROLLER, namespace: "", name: pdbNamespace };
    keys.set(keyName(key), key);
  }
  for (const key of ownerKeys(obj, prev, namespace)) keys.set(keyName(key), key);
  return [...keys.values()];
}

/** The keys of the controlling owners of `obj` and `prev` (so a release reaches the old owner). */
function ownerKeys(obj: KubeObject, prev: KubeObject | null, namespace: string): ReconcileKey[] {
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

/**
 * The keys the periodic resync enqueues for one stored object: an owner
 * kind's own key, the garbage collector's for a held deletion, and the
 * scheduling controllers' (not a child's owner: the owner's own collection
 * resyncs it).
 */
export function resyncKeys(obj: KubeObject): ReconcileKey[] {
  const gc = garbageKey(obj, undefined);
  const own = OWNERS[obj.kind];
  const keys = own ? [{ controller: own, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "" }] : [];
  const pdbNamespace = isDisruptionKind(obj.kind) ? obj.metadata.namespace : undefined;
  const pdbKeys: ReconcileKey[] = pdbNamespace ? [{ controller: DISRUPTION_CONTROLLER, namespace: "", name: pdbNamespace }] : [];
  return [...keys, ...(gc ? [gc] : []), ...schedulingKeys(obj, null), ...aggregationKeys(obj), ...pdbKeys, ...migrationKeys(obj, null)];
}

/** Whether a kind's collection runs the periodic resync (controller kinds; Pods, VMIs and Nodes; ClusterRoles). */
export function hasResync(kind: string): boolean {
  return isControllerKind(kind) || isSchedulingKind(kind) || isAggregationKind(kind) || isDisruptionKind(kind) || isMigrationKind(kind);
}
