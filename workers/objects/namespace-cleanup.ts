/**
 * @module
 * What upstream's namespace controller does when a namespace is deleted:
 * delete everything in it, and once nothing is left, remove the `kubernetes`
 * spec finalizer so the namespace itself goes. Run from the namespace's own
 * object store alarm, so it retries until done even across restarts.
 */
import type { KubeObject } from "../../shared/k8s/object";
import { KINDS, resourceKey } from "../registry";
import { writeObject } from "./client";
import { listPages } from "../client/list-all";
import { yieldToRuntime } from "../bounded";
import { isNotFound } from "../client/errors";

/** Retry period while content is still being deleted (grace periods, finalizers). */
export const NAMESPACE_CLEANUP_RETRY_MS = 2000;

/** Deletes a terminating namespace's content; true when the namespace could be finalized. */
export async function cleanupNamespace(env: Env, namespace: string): Promise<boolean> {
  let remaining = 0;
  for (const kind of KINDS) {
    if (!kind.namespaced) continue;
    const resource = resourceKey(kind);
    for await (const page of listPages(env, { resource, namespace })) {
      for (const item of page.items) {
        const obj = JSON.parse(item) as KubeObject;
        remaining++;
        if (obj.metadata.deletionTimestamp) continue;
        // A namespace of thousands is one long burst of object calls: let the runtime breathe (workers/bounded.ts).
        await yieldToRuntime();
        try {
          const r = await writeObject(env, { resource, namespace, name: obj.metadata.name ?? "" }, {
            verb: "delete", options: { propagationPolicy: "Background" },
          });
          if (r.type === "DELETED") remaining--;
        } catch (err) {
          if (isNotFound(err)) remaining--;
          else throw err;
        }
      }
    }
  }
  if (remaining > 0) return false;
  try {
    // Only our own finalizer is ours to remove; others (metadata.finalizers) keep holding it.
    await writeObject(env, { resource: "/namespaces", namespace: "", name: namespace }, {
      verb: "patch", patchType: "json", subresource: "",
      patch: [{ op: "replace", path: "/spec/finalizers", value: [] }],
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return true;
}

/** Whether a namespace still waits for its content to be deleted. */
export function awaitsCleanup(obj: KubeObject): boolean {
  const spec = obj.spec as { finalizers?: string[] } | undefined;
  return obj.kind === "Namespace" && obj.metadata.deletionTimestamp !== undefined && (spec?.finalizers ?? []).includes("kubernetes");
}
