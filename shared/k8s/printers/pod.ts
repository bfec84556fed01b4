/**
 * @module
 * `kubectl get pods` columns: upstream's printPod
 * (kubernetes pkg/printers/internalversion/printers.go, v1.32), including its
 * status reason logic, sidecar (restartable init) containers and the
 * "N (5m ago)" restarts cell.
 */
import type { KubeObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, NAME_COLUMN, column, wideColumn } from "./columns";
import { humanDuration } from "./duration";
import { at, bool, list, num, str } from "./fields";
import { readTime, translateTimestampSince } from "./timestamp";

// node.NodeUnreachablePodReason: set by the node lifecycle controller on pods of a lost node.
const NODE_UNREACHABLE_POD_REASON = "NodeLost";

/** Pod columns in upstream's order; the last four are `-o wide` only. */
const POD_COLUMNS = [
  NAME_COLUMN,
  column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
  column("Status", "string", "The aggregate status of the containers in this pod."),
  column(
    "Restarts",
    "string",
    "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
  ),
  AGE_COLUMN,
  wideColumn("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."),
  wideColumn(
    "Node",
    "string",
    "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
  ),
  wideColumn(
    "Nominated Node",
    "string",
    "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.",
  ),
  wideColumn(
    "Readiness Gates",
    "string",
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
  ),
];

/** `podutil.IsRestartableInitContainer`: an init container with restartPolicy Always (a sidecar). */
function isRestartableInitContainer(container: unknown): boolean {
  return str(at(container, "restartPolicy")) === "Always";
}

/** True when a condition of `type` exists and the first such one has status "True". */
function firstConditionTrue(conditions: unknown[], type: string): boolean {
  const found = conditions.find((c) => str(at(c, "type")) === type);
  return found !== undefined && str(at(found, "status")) === "True";
}

/** `hasPodReadyCondition`: any Ready condition with status True. */
function hasPodReadyCondition(conditions: unknown[]): boolean {
  return conditions.some((c) => str(at(c, "type")) === "Ready" && str(at(c, "status")) === "True");
}

/** Keeps the later of a running "last restart" instant and a container's last termination. */
function laterRestart(last: number | undefined, status: unknown): number | undefined {
  const finished = readTime(at(status, "lastState", "terminated", "finishedAt"));
  if (finished === undefined) return last;
  return last === undefined || last < finished ? finished : last;
}

/** Go's "Signal:%d" / "ExitCode:%d" for a terminated state without a reason. */
function exitDescription(terminated: unknown): string {
  const signal = num(at(terminated, "signal"));
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${num(at(terminated, "exitCode"))}`;
}

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestart: number | undefined;
}

/** The Ready, Status and Restarts inputs, computed exactly as printPod does. */
function summarizePod(pod: KubeObject): PodSummary {
  const conditions = list(at(pod, "status", "conditions"));
  const phase = str(at(pod, "status", "phase"));
  let reason = str(at(pod, "status", "reason")) || phase;
  if (conditions.some((c) => str(at(c, "type")) === "PodScheduled" && str(at(c, "reason")) === "SchedulingGated")) {
    reason = "SchedulingGated";
  }

  const initSpecs = list(at(pod, "spec", "initContainers"));
  const initByName = new Map<string, unknown>();
  let total = list(at(pod, "spec", "containers")).length;
  for (const c of initSpecs) {
    initByName.set(str(at(c, "name")), c);
    if (isRestartableInitContainer(c)) total++;
  }

  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;
  let initializing = false;
  const initStatuses = list(at(pod, "status", "initContainerStatuses"));
  for (const [i, status] of initStatuses.entries()) {
    restarts += num(at(status, "restartCount"));
    lastRestart = laterRestart(lastRestart, status);
    const sidecar = isRestartableInitContainer(initByName.get(str(at(status, "name"))));
    if (sidecar) {
      sidecarRestarts += num(at(status, "restartCount"));
      lastSidecarRestart = laterRestart(lastSidecarRestart, status);
    }
    const terminated = at(status, "state", "terminated");
    const waitingReason = str(at(status, "state", "waiting", "reason"));
    if (terminated !== undefined && num(at(terminated, "exitCode")) === 0) continue;
    if (sidecar && bool(at(status, "started"))) {
      if (bool(at(status, "ready"))) ready++;
      continue;
    }
    if (terminated !== undefined) {
      const terminatedReason = str(at(terminated, "reason"));
      reason = `Init:${terminatedReason || exitDescription(terminated)}`;
    } else if (waitingReason !== "" && waitingReason !== "PodInitializing") {
      reason = `Init:${waitingReason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    // Upstream stops at the first init container that has not finished.
    break;
  }

  if (!initializing || firstConditionTrue(conditions, "Initialized")) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = list(at(pod, "status", "containerStatuses"));
    // Walked backwards so the first container's reason wins, as upstream does.
    for (const status of [...statuses].reverse()) {
      restarts += num(at(status, "restartCount"));
      lastRestart = laterRestart(lastRestart, status);
      const waitingReason = str(at(status, "state", "waiting", "reason"));
      const terminated = at(status, "state", "terminated");
      if (waitingReason !== "") {
        reason = waitingReason;
      } else if (terminated !== undefined) {
        reason = str(at(terminated, "reason")) || exitDescription(terminated);
      } else if (bool(at(status, "ready")) && at(status, "state", "running") !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose last container completed while another still runs is not "Completed".
    if (reason === "Completed" && hasRunning) {
      reason = hasPodReadyCondition(conditions) ? "Running" : "NotReady";
    }
  }

  const deleting = at(pod, "metadata", "deletionTimestamp") !== undefined;
  if (deleting && str(at(pod, "status", "reason")) === NODE_UNREACHABLE_POD_REASON) {
    reason = "Unknown";
  } else if (deleting && phase !== "Succeeded" && phase !== "Failed") {
    reason = "Terminating";
  }
  return { ready, total, reason, restarts, lastRestart };
}

/** The pod IP as the internal type holds it: v1 podIP wins over podIPs[0] (core/v1 conversion). */
function podIP(pod: KubeObject): string {
  return str(at(pod, "status", "podIP")) || str(at(pod, "status", "podIPs", 0, "ip"));
}

/** "true/total" over spec.readinessGates, or `<none>` without gates. */
function readinessGates(pod: KubeObject): string {
  const gates = list(at(pod, "spec", "readinessGates"));
  if (gates.length === 0) return "<none>";
  const conditions = list(at(pod, "status", "conditions"));
  const passing = gates.filter((g) => firstConditionTrue(conditions, str(at(g, "conditionType")))).length;
  return `${passing}/${gates.length}`;
}

/** Server-side printing for Pods (upstream printPod, all columns as the apiserver sends them). */
export const podPrinter: Printer = {
  columns: POD_COLUMNS,
  cells(pod: KubeObject, now: Date): TableCell[] {
    const s = summarizePod(pod);
    const restarts =
      s.restarts !== 0 && s.lastRestart !== undefined
        ? `${s.restarts} (${humanDuration(now.getTime() - s.lastRestart)} ago)`
        : String(s.restarts);
    return [
      str(pod.metadata.name),
      `${s.ready}/${s.total}`,
      s.reason,
      restarts,
      translateTimestampSince(pod.metadata.creationTimestamp, now),
      podIP(pod) || "<none>",
      str(at(pod, "spec", "nodeName")) || "<none>",
      str(at(pod, "status", "nominatedNodeName")) || "<none>",
      readinessGates(pod),
    ];
  },
};
