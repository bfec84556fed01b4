/**
 * @module
 * The front's handle on storage: typed stubs for an object's store and a
 * kind's collection, with Outcomes turned back into ApiErrors.
 */
import type { KubeObject } from "../../shared/k8s/object";
import { isNotFound } from "../client/errors";
import type { CollectionStore } from "./collection-store";
import type { ListRequest, ListResult } from "./collection-list";
import type { ObjectOp } from "./object-ops";
import { objectStoreName, type ObjectRef } from "./object-ref";
import type { ObjectStore, WriteResult } from "./object-store";
import { unwrap } from "./outcome";
import { currentController, noteControllerWrite } from "../audit/controller-audit";
import { kindByResource } from "../registry";

/** The object store of one object. */
export function objectStub(env: Env, ref: ObjectRef): DurableObjectStub<ObjectStore> {
  return (env.OBJECTS as DurableObjectNamespace<ObjectStore>).getByName(objectStoreName(ref));
}

/** The collection store of one resource. */
export function collectionStub(env: Env, resource: string): DurableObjectStub<CollectionStore> {
  return (env.COLLECTIONS as DurableObjectNamespace<CollectionStore>).getByName(resource);
}

/**
 * The store that holds an object: its own object store, or for a
 * collection-resident kind (Events) its kind's collection store.
 */
export function storeOf(env: Env, ref: ObjectRef): DurableObjectStub<ObjectStore> | DurableObjectStub<CollectionStore> {
  return kindByResource(ref.resource)?.collectionResident ? collectionStub(env, ref.resource) : objectStub(env, ref);
}

/** Reads one object (404 as ApiError). */
export async function getObject(env: Env, ref: ObjectRef): Promise<KubeObject> {
  return JSON.parse(unwrap<string>(await storeOf(env, ref).get(ref))) as KubeObject;
}

/** Records a heartbeat of node `byNode` that changes nothing in its Node (ObjectStore.renewHeartbeat); answers the Node. */
export async function renewHeartbeat(env: Env, ref: ObjectRef, byNode: string): Promise<KubeObject> {
  return JSON.parse(unwrap<string>(await objectStub(env, ref).renewHeartbeat(ref, byNode))) as KubeObject;
}

/** Reads one object, or undefined when it does not exist. */
export async function findObject(env: Env, ref: ObjectRef): Promise<KubeObject | undefined> {
  try {
    return await getObject(env, ref);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** A write's result: the stored object's JSON, and the object parsed (on first use: a create's answer needs only the JSON). */
export type Written = WriteResult & { readonly object: KubeObject };

/**
 * The field manager of a controller's writes, as upstream's binaries name
 * theirs (their user agent): the scheduler's `kube-scheduler`, every other
 * controller's `kube-controller-manager`.
 */
function controllerManager(username: string): string {
  return username === "system:controller:kube-scheduler" ? "kube-scheduler" : "kube-controller-manager";
}

/** Writes one object. */
export async function writeObject(env: Env, ref: ObjectRef, op: ObjectOp): Promise<Written> {
  // A controller's write is audited as its identity (the middleware audits the API's own).
  const controller = currentController();
  const receivedAt = controller !== undefined ? new Date() : undefined;
  if (controller !== undefined && op.manager === undefined) op = { ...op, manager: controllerManager(controller) };
  let result: WriteResult;
  try {
    result = unwrap<WriteResult>(await storeOf(env, ref).mutate(ref, op));
  } catch (error) {
    if (receivedAt) noteControllerWrite(ref, op, receivedAt, { error });
    throw error;
  }
  if (receivedAt) noteControllerWrite(ref, op, receivedAt, { changed: result.changed });
  let parsed: KubeObject | undefined;
  return {
    ...result,
    get object(): KubeObject {
      parsed ??= JSON.parse(result.body) as KubeObject;
      return parsed;
    },
  };
}

/** Lists one page of a resource. */
export async function listObjects(env: Env, req: ListRequest): Promise<ListResult> {
  return unwrap<ListResult>(await collectionStub(env, req.resource).list(req));
}
