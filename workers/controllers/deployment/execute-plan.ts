/**
 * @module
 * Performs a DeploymentPlan: ReplicaSet creates, updates and deletes in the
 * order decided, then the Deployment's revision annotation and status, each
 * only when it changed. ReplicaSet updates touch only the fields the
 * Deployment controller owns (replicas, minReadySeconds, annotations) and are
 * guarded by the ReplicaSet's uid and the replicas the plan was made from, so
 * the ReplicaSet controller's status writes never make them conflict.
 */
import type { Json, KubeObject } from "../../../shared/k8s/object";
import type { Deployment, ReplicaSet } from "../../../shared/schemas";
import { isAlreadyExists, isConflict, isNotFound, isStale } from "../../client/errors";
import { findObject, writeObject } from "../../objects/client";
import { createObject } from "../../objects/create";
import { kindByResource } from "../../registry";
import { recordEvent } from "../shared/events";
import { statusEqual } from "../shared/status-equal";
import { RESOURCES } from "../replicaset/replicas-sync";
import { getControllerOf } from "../replicaset/replicas";
import { newCondition, hasProgressDeadline, PROGRESSING, REASONS, setCondition } from "./deployment-conditions";
import { equalIgnoreHash } from "./pod-template-hash";
import { REVISION_ANNOTATION } from "./replica-set-util";
import type { DeploymentAction } from "./sync-context";
import type { DeploymentPlan } from "./sync-deployment";

/** The Deployment controller's Event source (kube-controller-manager's "deployment-controller"). */
export const DEPLOYMENT_COMPONENT = "deployment-controller";

/** Registry key of Deployments. */
export const DEPLOYMENTS = "apps/deployments";

/** Thrown to end a pass early and run the key again (a lost race, a hash collision). */
export class RequeueNow extends Error {}

function ref(obj: { metadata: { namespace?: string; name?: string } }, resource: string) {
  return { resource, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "" };
}

/** Later updates of one ReplicaSet fold into its first write (or its create), so each set is written once. */
function coalesce(actions: readonly DeploymentAction[]): DeploymentAction[] {
  const out: DeploymentAction[] = [];
  const byName = new Map<string, number>();
  for (const a of actions) {
    if (a.kind === "updateReplicaSet" || a.kind === "createReplicaSet") {
      const name = a.rs.metadata.name ?? "";
      const at = byName.get(name);
      const prev = at === undefined ? undefined : out[at];
      if (at !== undefined && prev && (prev.kind === "createReplicaSet" || prev.kind === "updateReplicaSet")) {
        out[at] = { ...prev, rs: a.rs } as DeploymentAction;
        continue;
      }
      byName.set(name, out.length);
    }
    out.push(a);
  }
  return out;
}

async function updateReplicaSet(env: Env, rs: ReplicaSet, fromReplicas: number): Promise<void> {
  const ops: Json[] = [
    { op: "test", path: "/metadata/uid", value: rs.metadata.uid ?? "" },
    { op: "test", path: "/spec/replicas", value: fromReplicas },
    { op: "replace", path: "/spec/replicas", value: rs.spec?.replicas ?? 0 },
    { op: "add", path: "/spec/minReadySeconds", value: rs.spec?.minReadySeconds ?? 0 },
    { op: "add", path: "/metadata/annotations", value: (rs.metadata.annotations ?? {}) as Json },
  ];
  try {
    await writeObject(env, ref(rs, RESOURCES.replicasets), { verb: "patch", patchType: "json", subresource: "", patch: ops });
  } catch (err) {
    // Scaled or replaced by someone else since we listed it: decide again on what is there now.
    if (isStale(err)) throw new RequeueNow(`replica set ${rs.metadata.name ?? ""} changed`);
    throw err;
  }
}

/**
 * Creates the new ReplicaSet. AlreadyExists is fine when the one there is ours
 * with our template; otherwise the hash collided: raise collisionCount so the
 * next pass picks another name (upstream's collision handling).
 */
async function createReplicaSet(env: Env, d: KubeObject, rs: ReplicaSet): Promise<void> {
  const kind = kindByResource(RESOURCES.replicasets);
  if (!kind) throw new Error("replicasets are not served");
  const body = structuredClone(rs);
  delete body.metadata.creationTimestamp;
  try {
    await createObject(env, { kind, namespace: rs.metadata.namespace ?? "", name: rs.metadata.name ?? "" }, body as unknown as Json);
    return;
  } catch (err) {
    if (!isAlreadyExists(err)) {
      const message = `Failed to create new replica set "${rs.metadata.name ?? ""}": ${err instanceof Error ? err.message : String(err)}`;
      await recordEvent(env, d, "Warning", "FailedCreate", message, DEPLOYMENT_COMPONENT);
      const dep = d as unknown as Deployment;
      if (hasProgressDeadline(dep)) {
        const status = structuredClone(dep.status ?? {});
        setCondition(status, newCondition(PROGRESSING, "False", REASONS.failedRSCreate, message, new Date()));
        await writeStatus(env, d, status);
      }
      throw err;
    }
  }
  const existing = await findObject(env, ref(rs, RESOURCES.replicasets));
  const theirs = existing as unknown as ReplicaSet | undefined;
  if (existing && getControllerOf(existing)?.uid === d.metadata.uid && equalIgnoreHash(theirs?.spec?.template, rs.spec?.template)) {
    throw new RequeueNow("new replica set already exists");
  }
  const status = { ...(d.status as Deployment["status"]), collisionCount: ((d as unknown as Deployment).status?.collisionCount ?? 0) + 1 };
  await writeStatus(env, d, status);
  throw new RequeueNow(`hash collision on ${rs.metadata.name ?? ""}`);
}

async function writeStatus(env: Env, d: KubeObject, status: Deployment["status"]): Promise<void> {
  try {
    await writeObject(env, ref(d, DEPLOYMENTS), { verb: "patch", patchType: "merge", subresource: "status", patch: { status: status as unknown as Json } });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

async function perform(env: Env, d: KubeObject, action: DeploymentAction): Promise<void> {
  switch (action.kind) {
    case "createReplicaSet":
      return createReplicaSet(env, d, action.rs);
    case "updateReplicaSet":
      return updateReplicaSet(env, action.rs, action.fromReplicas);
    case "deleteReplicaSet":
      try {
        await writeObject(env, ref(action.rs, RESOURCES.replicasets), {
          verb: "delete", options: { preconditions: { uid: action.rs.metadata.uid ?? "" } },
        });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      return;
    case "event":
      return recordEvent(env, d, action.type, action.reason, action.message, DEPLOYMENT_COMPONENT);
  }
}

/** Performs `plan` for the Deployment `d` as read. */
export async function executePlan(env: Env, d: KubeObject, plan: DeploymentPlan): Promise<void> {
  for (const action of coalesce(plan.actions)) await perform(env, d, action);
  const revision = plan.deployment.metadata.annotations?.[REVISION_ANNOTATION];
  if (revision !== undefined && revision !== d.metadata.annotations?.[REVISION_ANNOTATION]) {
    try {
      await writeObject(env, ref(d, DEPLOYMENTS), {
        verb: "patch", patchType: "merge", subresource: "", patch: { metadata: { annotations: { [REVISION_ANNOTATION]: revision } } },
      });
    } catch (err) {
      // Deleted during the pass: nothing left to annotate.
      if (!isNotFound(err)) throw err;
    }
  }
  if (!statusEqual(d.status ?? {}, plan.deployment.status ?? {})) await writeStatus(env, d, plan.deployment.status);
}
