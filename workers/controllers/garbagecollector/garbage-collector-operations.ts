/**
 * @module
 * What the garbage collector reads and writes besides its owner (upstream's
 * garbagecollector/operations.go and the parts of attemptToDeleteItem that
 * look at other owners): the objects that can be dependents, the state of each
 * owner a dependent names, and writes guarded by uid and resourceVersion that
 * re-read and re-decide on a conflict.
 */
import type { Json, KubeObject, OwnerReference } from "../../../shared/k8s/object";
import type { ResourceKind } from "../../../shared/k8s/resource-kind";
import { findObject, getObject, writeObject } from "../../objects/client";
import type { ObjectOp } from "../../objects/object-ops";
import { KINDS, resourceKey } from "../../registry";
import { FOREGROUND_FINALIZER } from "../runtime/keys";
import { isDeleting } from "../shared/object-fields";
import { isStale } from "../../client/errors";
import { guardedPatchOp } from "../../client/patch-guarded";
import { cachedListAll } from "../../client/list-cache";

/** Registry keys of the kinds that can be dependents: every namespaced kind but Event. */
export const DEPENDENT_RESOURCES: readonly string[] = KINDS.filter((k) => k.namespaced && k.kind !== "Event").map(resourceKey);

/** A listed object with the registry key of its kind. */
export interface Item {
  resource: string;
  object: KubeObject;
}

/** How often a write is re-read and re-decided before the pass gives up and the queue retries it. */
const WRITE_ATTEMPTS = 5;

/** Every object of the dependent kinds in `namespace` (all namespaces when undefined). */
export async function listItems(env: Env, namespace: string | undefined): Promise<Item[]> {
  const lists = await Promise.all(DEPENDENT_RESOURCES.map(async (resource) => {
    const objects = await cachedListAll(env, { resource, namespace });
    return objects.map((object): Item => ({ resource, object }));
  }));
  return lists.flat();
}

/** The reference of `obj` to the owner with `uid`, if it has one. */
export function refTo(obj: KubeObject, uid: string): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.uid === uid);
}

/** An owner's state as a dependent sees it (upstream's classifyReferences). */
export type OwnerState = "solid" | "dangling" | "waitingForDependentsDeletion";

/** The state of an owner read as `owner` (undefined: absent) for a reference with `uid`. */
export function stateOf(owner: KubeObject | undefined, uid: string): OwnerState {
  if (!owner || owner.metadata.uid !== uid) return "dangling";
  if (isDeleting(owner) && (owner.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)) return "waitingForDependentsDeletion";
  return "solid";
}

function kindOfRef(ref: OwnerReference): ResourceKind | undefined {
  const slash = ref.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : ref.apiVersion.slice(0, slash);
  return KINDS.find((k) => k.kind === ref.kind && k.group === group);
}


/**
 * Owner states for one pass: `seed` (the keyed owner, as just read) first,
 * then owners found in the listing. An owner missing from the listing is read
 * live before it is called dangling (the listing is not one snapshot across
 * kinds; upstream's isDangling likewise reads past its cache), and an owner
 * of an unserved kind counts as solid, since nothing here can prove it gone.
 */
export class OwnerStates {
  private readonly byUid = new Map<string, KubeObject>();
  private readonly known = new Map<string, Promise<OwnerState>>();

  constructor(private readonly env: Env, items: readonly Item[], seed: Record<string, OwnerState>) {
    for (const i of items) if (i.object.metadata.uid) this.byUid.set(i.object.metadata.uid, i.object);
    for (const [uid, state] of Object.entries(seed)) this.known.set(uid, Promise.resolve(state));
  }

  /** The state of the owner `ref` names, for a dependent in `namespace`. */
  async of(ref: OwnerReference, namespace: string): Promise<OwnerState> {
    let state = this.known.get(ref.uid);
    if (state) return state;
    const listed = this.byUid.get(ref.uid);
    if (listed) return stateOf(listed, ref.uid);
    state = this.read(ref, namespace);
    this.known.set(ref.uid, state);
    return state;
  }

  private async read(ref: OwnerReference, namespace: string): Promise<OwnerState> {
    const kind = kindOfRef(ref);
    if (!kind) return "solid";
    return stateOf(await findObject(this.env, { resource: resourceKey(kind), namespace: kind.namespaced ? namespace : "", name: ref.name }), ref.uid);
  }
}

/** A patch dropping the owner references with these uids (the field goes when none is left). */
export function withoutOwners(obj: KubeObject, uids: ReadonlySet<string>): ObjectOp {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
  return guardedPatchOp(obj, [refs.length === 0
    ? { op: "remove", path: "/metadata/ownerReferences" }
    : { op: "replace", path: "/metadata/ownerReferences", value: refs as unknown as Json }]);
}

/** A patch dropping one finalizer (the field goes when none is left). */
export function withoutFinalizer(obj: KubeObject, finalizer: string): ObjectOp {
  const rest = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  return guardedPatchOp(obj, [rest.length === 0
    ? { op: "remove", path: "/metadata/finalizers" }
    : { op: "replace", path: "/metadata/finalizers", value: rest }]);
}

/** A Background delete that only applies to the state it was decided on (upstream deletes with uid and resourceVersion preconditions). */
export function backgroundDelete(obj: KubeObject): ObjectOp {
  return {
    verb: "delete",
    options: {
      propagationPolicy: "Background",
      preconditions: { uid: obj.metadata.uid ?? "", resourceVersion: obj.metadata.resourceVersion ?? "" },
    },
  };
}

/**
 * Decides a write from the latest state of `start` and applies it; a conflict
 * (409, or a failed `test` as 422) re-reads the object and decides again.
 * Returns the object after the write, `start`'s latest state when `decide`
 * wants nothing, or undefined once the object (this uid) is gone.
 */
export async function writeFresh(
  env: Env,
  resource: string,
  start: KubeObject,
  decide: (latest: KubeObject) => Promise<ObjectOp | undefined>,
): Promise<KubeObject | undefined> {
  const namespace = start.metadata.namespace ?? "";
  const name = start.metadata.name ?? "";
  let latest = start;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const op = await decide(latest);
    if (!op) return latest;
    try {
      const written = await writeObject(env, { resource, namespace, name }, op);
      return written.type === "DELETED" ? undefined : written.object;
    } catch (err) {
      if (!isStale(err)) throw err;
      const fresh = await findObject(env, { resource: resource, namespace: namespace, name: name });
      if (!fresh || fresh.metadata.uid !== start.metadata.uid) return undefined;
      latest = fresh;
    }
  }
  throw new Error(`${resource} ${namespace}/${name} kept changing under the garbage collector`);
}
