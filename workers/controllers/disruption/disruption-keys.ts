/**
 * @module
 * When the disruption controller runs, as upstream's informer handlers queue
 * it (addPod/updatePod/deletePod look up the pod's budgets; addDb/updateDb/
 * removeDb queue the budget): here the key is the namespace —
 * `{controller: "disruption", namespace: "", name: <ns>}` — and one run
 * recomputes every budget of it, since finding a pod's budgets needs a list
 * a key computation may not make. A pod change counts when it can move
 * what a budget allows: deleted, deletion started, Ready or phase changed.
 * A created pod (never Ready yet) or a relabelled one only moves the counts
 * the 30 s resync of budgets catches: every pod write paying a queue
 * message for it slowed pod writes by a quarter.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import type { EventType } from "../../objects/collection-store";
import { isPodReady } from "../replicaset/pod-readiness";
import { phaseOf } from "../shared/object-fields";

/** The controller's name in reconcile keys (kube-controller-manager's "disruption"). */
export const DISRUPTION_CONTROLLER = "disruption";

/** Whether a pod change can move what a budget allows. */
function podChangeMatters(pod: KubeObject, prev: KubeObject | null, type: EventType | undefined): boolean {
  if (type === "DELETED") return true;
  if (!prev) return false;
  return isPodReady(pod) !== isPodReady(prev) || phaseOf(pod) !== phaseOf(prev) ||
    (pod.metadata.deletionTimestamp !== undefined) !== (prev.metadata.deletionTimestamp !== undefined);
}

/** The namespace whose budgets a change asks to recompute, if any. */
export function disruptionNamespaceFor(obj: KubeObject, prev: KubeObject | null, type: EventType | undefined): string | undefined {
  const ns = obj.metadata.namespace;
  if (!ns) return undefined;
  if (obj.kind === "PodDisruptionBudget") return type === "DELETED" ? undefined : ns;
  if (obj.kind === "Pod" && podChangeMatters(obj, prev, type)) return ns;
  return undefined;
}

/** Whether a kind's collection runs the periodic resync for this controller (budgets: expired evictions, controllers' scale). */
export function isDisruptionKind(kind: string): boolean {
  return kind === "PodDisruptionBudget";
}
