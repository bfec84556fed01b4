/**
 * @module
 * Upstream's serviceaccounts controller (pkg/controller/serviceaccount/
 * serviceaccounts_controller.go, syncNamespace): every active namespace has
 * a `default` ServiceAccount, created when the namespace is and again when
 * it is deleted. A terminating namespace gets nothing (its cleanup deletes
 * what is there); one created in the race with deletion is deleted by that
 * cleanup too, which keeps going until the namespace is empty.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { isAlreadyExists, isConflict } from "../../client/errors";
import { findObject, writeObject } from "../../objects/client";
import type { ReconcileKey } from "../runtime/keys";
import type { ReconcileResult } from "../runtime/reconciler";
import { DEFAULT_SERVICE_ACCOUNTS } from "./serviceaccounts-keys";

function isActive(ns: KubeObject | undefined): ns is KubeObject {
  const phase = (ns?.status as { phase?: string } | undefined)?.phase;
  return ns !== undefined && !ns.metadata.deletionTimestamp && phase !== "Terminating";
}

/** syncNamespace: creates each missing default ServiceAccount of the namespace `key.name`. */
export async function reconcileServiceAccounts(env: Env, key: ReconcileKey): Promise<ReconcileResult> {
  const namespace = key.name;
  const ns = await findObject(env, { resource: "/namespaces", namespace: "", name: namespace });
  if (!isActive(ns)) return {};
  for (const name of DEFAULT_SERVICE_ACCOUNTS) {
    const ref = { resource: "/serviceaccounts", namespace, name };
    if (await findObject(env, ref)) continue;
    try {
      await writeObject(env, ref, {
        verb: "create",
        uid: crypto.randomUUID(),
        input: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } },
      });
    } catch (err) {
      // Created meanwhile (another delivery, a client): the namespace has it, which is all this wants.
      if (!isAlreadyExists(err) && !isConflict(err)) throw err;
    }
  }
  return {};
}
