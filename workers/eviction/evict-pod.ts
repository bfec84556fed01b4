/**
 * @module
 * The `pods/eviction` subresource's semantics (kubernetes
 * pkg/registry/core/pod/storage/eviction.go, EvictionREST.Create): a pod
 * that already disrupts nothing (Pending, Succeeded, Failed, being deleted)
 * or that no budget selects is deleted; one budget must allow a disruption,
 * which is taken from it (status.disruptionsAllowed−1 and the pod recorded in
 * status.disruptedPods, guarded by the budget's resourceVersion) before the
 * pod is deleted with the eviction's DeleteOptions; a budget that allows none
 * answers 429 with a DisruptionBudget cause. A pod that is not Ready may go
 * without taking a disruption when the budget says so
 * (unhealthyPodEvictionPolicy AlwaysAllow, or IfHealthyBudget while the
 * budget is met). More than one budget is an internal error, as upstream.
 */
import { ApiError, internalError } from "../../shared/k8s/errors";
import type { Json, JsonObject, KubeObject } from "../../shared/k8s/object";
import { formatTime } from "../../shared/k8s/time";
import { isConflict } from "../client/errors";
import { listAll } from "../client/list-all";
import { findObject, getObject, writeObject } from "../objects/client";
import type { DeleteOptions } from "../objects/delete-rules";
import { resourceKey } from "../registry";
import { disruptionAllowedCondition, pdbSelects } from "../controllers/disruption/disruption-status";
import { isPodReady } from "../controllers/replicaset/pod-readiness";
import { updatePodCondition } from "../controllers/shared/conditions";
import { isDeleting, phaseOf, specOf, statusOf } from "../controllers/shared/object-fields";

const PODS = resourceKey({ group: "", plural: "pods" });
const PDBS = resourceKey({ group: "policy", plural: "poddisruptionbudgets" });

/** Upstream EvictionsRetry: attempts at taking a disruption from a budget that keeps changing under us. */
const EVICTION_ATTEMPTS = 5;
/** Upstream MaxDisruptedPodSize: admitted evictions a budget may hold before the controller confirms them. */
const MAX_DISRUPTED_POD_SIZE = 2000;

/** One eviction, as the route parsed it. */
export interface Eviction {
  namespace: string;
  name: string;
  deleteOptions: DeleteOptions;
  dryRun: boolean;
}

/** `canIgnorePDB`: a pod that is Pending, terminal or already being deleted disrupts nothing more. */
function canIgnorePDB(pod: KubeObject): boolean {
  const phase = phaseOf(pod);
  return phase === "Succeeded" || phase === "Failed" || phase === "Pending" || isDeleting(pod);
}

/** The 429 a budget that allows no disruption answers (upstream's message and DisruptionBudget cause). */
export function budgetViolated(cause: string): ApiError {
  return new ApiError(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.", {
    causes: [{ reason: "DisruptionBudget", message: cause }],
  });
}

const num = (v: Json | undefined): number => (typeof v === "number" ? v : 0);

/**
 * `checkAndDecrement`: refuses unless the budget is observed at its
 * generation and allows a disruption, then records the taken disruption
 * (not on a dry run). A concurrent change of the budget throws 409.
 */
async function checkAndDecrement(env: Env, pod: KubeObject, pdb: KubeObject, dryRun: boolean): Promise<void> {
  const status = statusOf(pdb);
  const name = pdb.metadata.name ?? "";
  if (num(status.observedGeneration) < (pdb.metadata.generation ?? 1)) {
    throw budgetViolated(`The disruption budget ${name} is still being processed by the server.`);
  }
  const allowed = num(status.disruptionsAllowed);
  const disrupted = (status.disruptedPods ?? {}) as JsonObject;
  if (allowed < 0) throw new ApiError(403, "Forbidden", `poddisruptionbudgets.policy "${name}" is forbidden: pdb disruptions allowed is negative`);
  if (Object.keys(disrupted).length > MAX_DISRUPTED_POD_SIZE) {
    throw new ApiError(403, "Forbidden", `poddisruptionbudgets.policy "${name}" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller`);
  }
  if (allowed === 0) {
    throw budgetViolated(`The disruption budget ${name} needs ${num(status.desiredHealthy)} healthy pods and has ${num(status.currentHealthy)} currently`);
  }
  if (dryRun) return;
  const now = Date.now();
  const conditions = Array.isArray(status.conditions) ? (status.conditions as never[]) : [];
  const next: JsonObject = {
    ...status,
    disruptionsAllowed: allowed - 1,
    disruptedPods: { ...disrupted, [pod.metadata.name ?? ""]: formatTime(now) },
    ...(allowed - 1 === 0 ? { conditions: disruptionAllowedCondition(conditions, 0, now) as unknown as Json } : {}),
  };
  await writeObject(env, { resource: PDBS, namespace: pdb.metadata.namespace ?? "", name }, {
    verb: "update", subresource: "status", input: { ...pdb, status: next } as unknown as Json,
  });
}

/** The budgets of the pod's namespace that select it (those being deleted included, as upstream's lister). */
async function budgetsOf(env: Env, pod: KubeObject): Promise<KubeObject[]> {
  const pdbs = await listAll(env, { resource: PDBS, namespace: pod.metadata.namespace ?? "" });
  return pdbs.filter((pdb) => pdbSelects(pdb, pod));
}

/**
 * Whether a not-Ready pod may go without taking a disruption: always under
 * AlwaysAllow; under IfHealthyBudget (the default) while the budget is met.
 */
function unhealthyMayGo(pod: KubeObject, pdb: KubeObject): boolean {
  if (isPodReady(pod)) return false;
  if (specOf(pdb).unhealthyPodEvictionPolicy === "AlwaysAllow") return true;
  const status = statusOf(pdb);
  return num(status.currentHealthy) >= num(status.desiredHealthy) && num(status.desiredHealthy) > 0;
}

/**
 * `addConditionAndDeletePod`: marks a running pod DisruptionTarget
 * (EvictionByEvictionAPI) so its owner can tell an eviction from a crash,
 * then deletes it with the eviction's options.
 */
async function addConditionAndDeletePod(env: Env, pod: KubeObject, options: DeleteOptions, dryRun: boolean): Promise<void> {
  const ref = { resource: PODS, namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "" };
  if (!dryRun && !isDeleting(pod) && phaseOf(pod) !== "Succeeded" && phaseOf(pod) !== "Failed") {
    const current = statusOf(pod).conditions;
    const { conditions, changed } = updatePodCondition(Array.isArray(current) ? current : [], {
      type: "DisruptionTarget", status: "True", reason: "EvictionByEvictionAPI", message: "Eviction API: evicting",
    }, formatTime(Date.now()));
    if (changed) {
      const written = await writeObject(env, ref, {
        verb: "update", subresource: "status", input: { ...pod, status: { ...statusOf(pod), conditions } } as unknown as Json,
      });
      // A precondition on the version judged must follow our own write of it.
      if (options.preconditions?.resourceVersion === pod.metadata.resourceVersion) {
        options = { ...options, preconditions: { ...options.preconditions, resourceVersion: written.object.metadata.resourceVersion } };
      }
    }
  }
  await writeObject(env, ref, { verb: "delete", options, dryRun });
}

/**
 * Evicts one pod (EvictionREST.Create). Throws 404 for a missing pod, 429
 * when its budget allows no disruption (or keeps changing), 500 when more
 * than one budget selects it.
 */
export async function evictPod(env: Env, eviction: Eviction): Promise<void> {
  const ref = { resource: PODS, namespace: eviction.namespace, name: eviction.name };
  let pdbName = "";
  for (let attempt = 1; ; attempt++) {
    const pod = await getObject(env, ref);
    let options = eviction.deleteOptions;
    try {
      if (!canIgnorePDB(pod)) {
        const pdbs = await budgetsOf(env, pod);
        if (pdbs.length > 1) {
          throw internalError("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        }
        // The list may trail the budget's own store: decide on (and guard by) the budget as stored.
        const listed = pdbs[0];
        const pdb = listed ? await findObject(env, { resource: PDBS, namespace: eviction.namespace, name: listed.metadata.name ?? "" }) : undefined;
        pdbName = pdb?.metadata.name ?? "";
        if (pdb && unhealthyMayGo(pod, pdb)) {
          // Only while it is still the pod that was judged unhealthy.
          options = { ...options, preconditions: { ...options.preconditions, resourceVersion: pod.metadata.resourceVersion } };
        } else if (pdb) {
          await checkAndDecrement(env, pod, pdb, eviction.dryRun);
        }
      }
      await addConditionAndDeletePod(env, pod, options, eviction.dryRun);
      return;
    } catch (err) {
      if (!isConflict(err)) throw err;
      if (attempt >= EVICTION_ATTEMPTS) {
        throw new ApiError(429, "TooManyRequests", `Couldn't update PodDisruptionBudget ${JSON.stringify(pdbName)} due to conflicts`, { retryAfterSeconds: 10 });
      }
    }
  }
}
