/**
 * @module
 * Creates and reconciles the default ClusterRoles and ClusterRoleBindings
 * (bootstrap-policy.ts) once per isolate, before the first request is
 * served — what kube-apiserver's `rbac/bootstrap-roles` post-start hook does:
 * a missing object is created; an existing one gets back the permissions,
 * selectors, subjects, labels and annotations it lacks, unless it is
 * annotated `rbac.authorization.kubernetes.io/autoupdate: "false"`.
 */
import type { Json, KubeObject } from "../../shared/k8s/object";
import { retryOnConflict } from "../client/retry";
import { findObject, writeObject } from "../objects/client";
import type { ObjectRef } from "../objects/object-ref";
import { objectRefOf } from "../registry";
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from "./bootstrap-policy";
import { reconcileBinding, reconcileRole, type Reconciled } from "./bootstrap-reconcile";

async function create(env: Env, ref: ObjectRef, obj: KubeObject): Promise<void> {
  await writeObject(env, ref, { verb: "create", uid: crypto.randomUUID(), input: obj as unknown as Json });
}

/** One default object: read, decide, write; a lost race (409) reads again. */
async function ensureOne(env: Env, expected: KubeObject, reconcile: (existing: KubeObject, expected: KubeObject) => Reconciled): Promise<void> {
  const ref = objectRefOf(expected);
  await retryOnConflict(async () => {
    const existing = await findObject(env, ref);
    if (!existing) return create(env, ref, expected);
    const decision = reconcile(existing, expected);
    switch (decision.op) {
      case "none":
        return;
      case "update":
        // The stored resourceVersion rides along: a concurrent change makes this a 409 and a fresh read.
        await writeObject(env, ref, { verb: "update", subresource: "", input: decision.object as unknown as Json });
        return;
      case "recreate": {
        const { uid, resourceVersion } = existing.metadata;
        await writeObject(env, ref, {
          verb: "delete",
          options: { preconditions: { ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) } },
        });
        const { uid: _u, resourceVersion: _rv, creationTimestamp: _c, generation: _g, ...metadata } = decision.object.metadata;
        return create(env, ref, { ...decision.object, metadata });
      }
    }
  });
}

/**
 * Creates what is missing and reconciles what exists, all objects at once;
 * fails if any failed (after every one was tried).
 */
export async function reconcileBootstrapPolicy(env: Env): Promise<void> {
  const results = await Promise.allSettled([
    ...BOOTSTRAP_CLUSTER_ROLES.map((role) => ensureOne(env, role, reconcileRole)),
    ...BOOTSTRAP_CLUSTER_ROLE_BINDINGS.map((binding) => ensureOne(env, binding, reconcileBinding)),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

let bootstrapped: Promise<void> | undefined;

/** Runs {@link reconcileBootstrapPolicy} once per isolate (again after a failure); idempotent across isolates. */
export function ensureBootstrapPolicy(env: Env): Promise<void> {
  bootstrapped ??= reconcileBootstrapPolicy(env).catch((err: unknown) => {
    bootstrapped = undefined;
    throw err;
  });
  return bootstrapped;
}
