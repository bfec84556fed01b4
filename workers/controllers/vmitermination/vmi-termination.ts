/**
 * @module
 * The VMI termination controller's executor: for a deleting VMI held by the
 * host finalizer, applies `decideVMITermination` — phase Failed where the
 * decision says so, then the finalizer removed — each write guarded by the
 * resourceVersion it read, so a host report that lands in between wins and
 * the key simply runs again. The webhook removes the finalizer itself when
 * the host reports the VMI stopped; this covers the cases with no host to ask.
 */
import type { Json, KubeObject } from "../../../shared/k8s/object";
import { findObject, writeObject } from "../../objects/client";
import { VMI_HOST_FINALIZER } from "../../../shared/hosts/constants";
import { recordEvent } from "../shared/events";
import type { ReconcileKey } from "../runtime/keys";
import { numberField, specOf, statusOf } from "../shared/object-fields";
import type { ReconcileResult } from "../runtime/reconciler";
import { RESOURCES } from "../replicaset/replicas-sync";
import { awaitsTermination } from "../scheduler/scheduling-keys";
import { withVMIPhase } from "../shared/vmi-phase";
import { DEFAULT_VMI_GRACE_PERIOD_SECONDS, decideVMITermination } from "./vmi-termination-policy";
import { isNotFound, isConflict } from "../../client/errors";
import { formatTime } from "../../../shared/k8s/time";

/** The component named in this controller's Events. */
const COMPONENT = "virtualmachine-controller";
/** A guarded write lost to a newer state: look again this soon. */
const RETRY_SECONDS = 1;

/** Writes phase Failed (stamped once in phaseTransitionTimestamps), guarded by the VMI's resourceVersion. */
async function markFailed(env: Env, ref: { resource: string; namespace: string; name: string }, vmi: KubeObject, now: Date): Promise<KubeObject> {
  const status = withVMIPhase(statusOf(vmi), "Failed", formatTime(now.getTime()));
  const written = await writeObject(env, ref, { verb: "update", subresource: "status", input: { ...vmi, status } as unknown as Json });
  return written.object;
}

/** Removes the host finalizer, guarded by the resourceVersion (removing the last one ends the deletion). */
async function release(env: Env, ref: { resource: string; namespace: string; name: string }, vmi: KubeObject): Promise<void> {
  const finalizers = (vmi.metadata.finalizers ?? []).filter((f) => f !== VMI_HOST_FINALIZER);
  await writeObject(env, ref, { verb: "update", subresource: "", input: { ...vmi, metadata: { ...vmi.metadata, finalizers } } as unknown as Json });
}

/** One reconcile of a deleting VMI's host finalizer. */
export async function reconcileVMITermination(env: Env, key: ReconcileKey, now: Date = new Date()): Promise<ReconcileResult> {
  const ref = { resource: RESOURCES.vmis, namespace: key.namespace, name: key.name };
  const vmi = await findObject(env, ref);
  if (!vmi || !awaitsTermination(vmi)) return {};
  const decision = decideVMITermination(vmi, now.getTime());
  if (decision.action === "wait") return { requeueAfterSeconds: decision.requeueAfterSeconds };
  try {
    let current = vmi;
    if (decision.action === "fail") {
      current = await markFailed(env, ref, vmi, now);
      if (decision.reason === "GracePeriodExpired") {
        const grace = numberField(specOf(vmi), "terminationGracePeriodSeconds", DEFAULT_VMI_GRACE_PERIOD_SECONDS);
        await recordEvent(env, current, "Warning", "TerminationGracePeriodExpired",
          `The host did not report the VirtualMachineInstance stopped within its termination grace period (${grace}s); marked Failed`, COMPONENT);
      }
    }
    await release(env, ref, current);
  } catch (err) {
    if (isConflict(err)) return { requeueAfterSeconds: RETRY_SECONDS };
    if (isNotFound(err)) return {};
    throw err;
  }
  return {};
}
