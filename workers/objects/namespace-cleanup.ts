/**
 * @module
 * What upstream's namespace controller does when a namespace is deleted:
 * delete everything in it, and once nothing is left, remove the `kubernetes`
 * spec finalizer so the namespace itself goes. Run from the namespace's own
 * object store alarm, so it retries until done even across restarts.
 *
 * A pass tries every object even when some fail (one object that cannot be
 * deleted never starves the rest) and never throws; the next pass is
 * scheduled with a per-namespace backoff kept in the namespace's own storage,
 * as upstream's workqueue rate-limits a failing key: failures back off
 * exponentially to 5 minutes, and passes that only wait for grace periods or
 * finalizers slow down to one every 10 seconds until something goes.
 */
import type { KubeObject } from "../../shared/k8s/object";
import { KINDS, resourceKey } from "../registry";
import { writeObject } from "./client";
import { listPages } from "../client/list-all";
import { yieldToRuntime } from "../bounded";
import { isNotFound } from "../client/errors";

/** First retry delay (ms), while content is still being deleted (grace periods, finalizers) or after a failure. */
export const NAMESPACE_CLEANUP_RETRY_MS = 2000;
/** Longest pause between passes that only wait for content to go. */
const MAX_WAIT_MS = 10_000;
/** Longest pause after failed passes (upstream's workqueue caps its backoff likewise). */
const MAX_FAILURE_MS = 5 * 60_000;
/** Storage key of the backoff record ({@link CleanupBackoff}) in the namespace's object store. */
export const CLEANUP_BACKOFF_KEY = "namespace-cleanup-backoff";

/** The outcome of one pass. */
export interface CleanupPass {
  /** The namespace was finalized. */
  done: boolean;
  /** Objects whose delete failed this pass (retried next pass). */
  failed: number;
  /** Objects deleted (or found gone) this pass. */
  deleted: number;
}

/** Consecutive failed passes and consecutive passes that deleted nothing. */
export interface CleanupBackoff {
  failures: number;
  idle: number;
}

/** Deletes a terminating namespace's content; `done` when the namespace could be finalized. */
export async function cleanupNamespace(env: Env, namespace: string): Promise<CleanupPass> {
  const pass: CleanupPass = { done: false, failed: 0, deleted: 0 };
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
        const name = obj.metadata.name ?? "";
        try {
          const r = await writeObject(env, { resource, namespace, name }, {
            verb: "delete", options: { propagationPolicy: "Background" },
          });
          if (r.type === "DELETED") {
            remaining--;
            pass.deleted++;
          }
        } catch (err) {
          if (isNotFound(err)) {
            remaining--;
            pass.deleted++;
          } else {
            pass.failed++;
            console.error(`namespace ${namespace} cleanup: deleting ${resource} ${name} failed`, err);
          }
        }
      }
    }
  }
  if (remaining > 0) return pass;
  try {
    // Only our own finalizer is ours to remove; others (metadata.finalizers) keep holding it.
    await writeObject(env, { resource: "/namespaces", namespace: "", name: namespace }, {
      verb: "patch", patchType: "json", subresource: "",
      patch: [{ op: "replace", path: "/spec/finalizers", value: [] }],
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return { ...pass, done: true };
}

/** The pause before the next pass, given the backoff record after this one. */
export function cleanupRetryMs(b: CleanupBackoff): number {
  if (b.failures > 0) return Math.min(MAX_FAILURE_MS, NAMESPACE_CLEANUP_RETRY_MS * 2 ** Math.min(b.failures - 1, 20));
  return Math.min(MAX_WAIT_MS, NAMESPACE_CLEANUP_RETRY_MS * 2 ** Math.min(b.idle, 20));
}

/**
 * One pass of the namespace's cleanup, then the alarm for the next one (none
 * once finalized). Never throws, so a failure cannot leave the alarm the
 * object store set for "now" and spin (a pod whose delete threw used to be
 * retried thousands of times a minute, until workerd ran out of file descriptors).
 */
export async function runNamespaceCleanup(env: Env, storage: DurableObjectStorage, namespace: string): Promise<void> {
  const before = (await storage.get<CleanupBackoff>(CLEANUP_BACKOFF_KEY)) ?? { failures: 0, idle: 0 };
  let pass: CleanupPass;
  try {
    pass = await cleanupNamespace(env, namespace);
  } catch (err) {
    console.error(`namespace ${namespace} cleanup failed`, err);
    pass = { done: false, failed: 1, deleted: 0 };
  }
  if (pass.done) {
    await storage.delete(CLEANUP_BACKOFF_KEY);
    return;
  }
  const next: CleanupBackoff = {
    failures: pass.failed > 0 ? before.failures + 1 : 0,
    idle: pass.deleted > 0 ? 0 : before.idle + 1,
  };
  await storage.put(CLEANUP_BACKOFF_KEY, next);
  await storage.setAlarm(Date.now() + cleanupRetryMs(next));
}

/** Whether a namespace still waits for its content to be deleted. */
export function awaitsCleanup(obj: KubeObject): boolean {
  const spec = obj.spec as { finalizers?: string[] } | undefined;
  return obj.kind === "Namespace" && obj.metadata.deletionTimestamp !== undefined && (spec?.finalizers ?? []).includes("kubernetes");
}
