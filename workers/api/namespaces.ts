/**
 * @module
 * Namespaces as the rest of the API sees them: creates into a missing
 * namespace are 404 and into a terminating one 403, and the built-in
 * namespaces cannot be deleted (upstream's NamespaceLifecycle admission);
 * they exist from the first request on.
 */
import { forbidden, forbiddenObject, notFound } from "../../shared/k8s/errors";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { kindByResource } from "../registry";
import { findObject, getObject, writeObject } from "../objects/client";
import type { ObjectRef } from "../objects/object-ref";
import { isConflict, isForbidden, isNotFound } from "../client/errors";

const NAMESPACES = "/namespaces";
/** Namespaces every cluster starts with. */
export const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/**
 * Active namespaces seen recently, per isolate. Like upstream's
 * NamespaceLifecycle admission (which reads an informer cache), this may let
 * a create through just after deletion started; the namespace cleanup keeps
 * deleting content until the namespace is empty, so nothing is left behind.
 * It keeps every create in a namespace from queueing on that namespace's store.
 */
const ACTIVE_TTL_MS = 2000;
const active = new Map<string, number>();

/** Refuses a create into `namespace` unless it exists and is not terminating. */
export async function admitCreateIn(env: Env, kind: ResourceKind, namespace: string, name: string): Promise<void> {
  if (!kind.namespaced) return;
  const now = Date.now();
  if ((active.get(namespace) ?? 0) > now) return;
  let ns;
  try {
    ns = await getObject(env, { resource: NAMESPACES, namespace: "", name: namespace });
  } catch (err) {
    if (isNotFound(err)) throw notFound({ group: "", resource: "namespaces" }, namespace);
    throw err;
  }
  if (ns.metadata.deletionTimestamp) {
    const what = kind.group ? `${kind.plural}.${kind.group}` : kind.plural;
    throw forbidden(
      `${what} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
    );
  }
  if (active.size > 10_000) active.clear();
  active.set(namespace, now + ACTIVE_TTL_MS);
}

/**
 * Server-side apply creates only what does not exist: an object already in a
 * terminating namespace is updated like any update (upstream forbids only new
 * content there). Like the create check, this reads a moment's state; a create
 * that slips in as the object goes is removed by the namespace's cleanup.
 */
export async function admitApplyIn(env: Env, kind: ResourceKind, ref: ObjectRef): Promise<void> {
  try {
    await admitCreateIn(env, kind, ref.namespace, ref.name);
  } catch (err) {
    if (isForbidden(err) && (await findObject(env, ref))) return;
    throw err;
  }
}

/**
 * Refuses deleting a built-in namespace (403, upstream's message). Upstream
 * protects default, kube-system and kube-public and lets a controller recreate
 * kube-node-lease; here all four are protected, since they are created only
 * once per isolate.
 */
export function admitDelete(kind: ResourceKind, name: string): void {
  if (kind.kind === "Namespace" && BUILTIN_NAMESPACES.includes(name)) {
    throw forbiddenObject({ group: "", resource: "namespaces" }, name, "this namespace may not be deleted");
  }
}

/** Drops a namespace from the admission cache (its deletion went through this isolate). */
export function forgetNamespace(namespace: string): void {
  active.delete(namespace);
}

let bootstrapped: Promise<void> | undefined;

/** Creates the built-in namespaces once per isolate (idempotent across isolates). */
export function ensureBuiltinNamespaces(env: Env): Promise<void> {
  bootstrapped ??= createBuiltins(env).catch((err: unknown) => {
    bootstrapped = undefined;
    throw err;
  });
  return bootstrapped;
}

async function createBuiltins(env: Env): Promise<void> {
  if (!kindByResource(NAMESPACES)) throw new Error("namespaces are not registered");
  await Promise.all(
    BUILTIN_NAMESPACES.map(async (name) => {
      try {
        await writeObject(env, { resource: NAMESPACES, namespace: "", name }, {
          verb: "create",
          uid: crypto.randomUUID(),
          input: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
        });
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }),
  );
}
