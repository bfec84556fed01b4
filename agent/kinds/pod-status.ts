/**
 * @module
 * A pod's status from the runtime's observation: container statuses
 * (waiting ContainerCreating / CrashLoopBackOff, running, terminated), the
 * phase by the kubelet's rules, the four pod conditions, addresses and
 * startTime. Conditions carry no lastTransitionTime: the webhook stamps a
 * transition when a condition's status changes.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kubelet_pods.go (getPhase, generateAPIPodStatus)
 */
import type { ReportItem } from "../../shared/hosts/report.ts";
import { isRecord, str } from "../objects.ts";
import type { Exited } from "../runtime/adapter.ts";
import type { ContainerObservation, PodDetail } from "../runtime/containers.ts";
import type { StatusInput } from "./driver.ts";

/** The pod half of a report item's status. */
export type PodReportStatus = Extract<ReportItem, { kind: "Pod" }>["status"];

/** `v1.ContainerState`. */
type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | { terminated: { exitCode: number; reason: string; message?: string; startedAt?: string; finishedAt: string; containerID?: string } };

/** `v1.ContainerStatus` (a type alias, not an interface, so it is a JSON record). */
type ContainerStatus = {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  state: ContainerState;
  lastState: ContainerState | Record<string, never>;
  ready: boolean;
  started: boolean;
  restartCount: number;
};

function terminated(exit: Exited, containerID: string | undefined): ContainerState {
  return {
    terminated: {
      exitCode: exit.exitCode, reason: exit.reason, ...(exit.message ? { message: exit.message } : {}),
      ...(exit.startedAt ? { startedAt: exit.startedAt } : {}), finishedAt: exit.finishedAt, ...(containerID ? { containerID } : {}),
    },
  };
}

/** The status of one container; `seen` is undefined before the runtime has it. */
function containerStatus(name: string, image: string, seen: ContainerObservation | undefined, restartPending: boolean, lostAt: string | undefined, restartPolicy: string): ContainerStatus {
  const base = { name, image: seen?.image ?? image, imageID: seen?.imageID ?? "", ...(seen?.containerID ? { containerID: seen.containerID } : {}) };
  if (lostAt) {
    // What the kubelet reports for a container it can no longer find.
    const state = { terminated: { exitCode: 137, reason: "ContainerStatusUnknown", message: "The container could not be located when the pod was terminated", finishedAt: lostAt } };
    return { ...base, state, lastState: {}, ready: false, started: false, restartCount: 0 };
  }
  if (!seen) return { ...base, state: { waiting: { reason: "ContainerCreating" } }, lastState: {}, ready: false, started: false, restartCount: 0 };
  const s = seen.state;
  let state: ContainerState;
  let lastState: ContainerState | Record<string, never> = seen.lastExit ? terminated(seen.lastExit, undefined) : {};
  if (s.phase === "creating") state = { waiting: seen.waiting ?? { reason: "ContainerCreating" } };
  else if (s.phase === "running") state = { running: { startedAt: s.startedAt } };
  // Only a container its restartPolicy restarts waits in CrashLoopBackOff (a sibling may have completed for good).
  else if (restartPending && restartsAfter(restartPolicy, s)) {
    state = { waiting: { reason: "CrashLoopBackOff", message: `back-off restarting failed container ${name}` } };
    lastState = terminated(s, seen.containerID);
  } else state = terminated(s, seen.containerID);
  const running = s.phase === "running";
  return { ...base, state, lastState, ready: running && (seen.ready ?? true), started: running, restartCount: seen.restartCount };
}

/** Whether restartPolicy restarts a container that ended like `exit`. */
function restartsAfter(restartPolicy: string, exit: Exited): boolean {
  return restartPolicy === "Always" || (restartPolicy === "OnFailure" && exit.exitCode !== 0);
}

/** The kubelet's getPhase, without init containers; `terminal` means nothing will be restarted. */
export function podPhase(restartPolicy: string, statuses: readonly ContainerStatus[], terminal: boolean): "Pending" | "Running" | "Succeeded" | "Failed" {
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const { state, lastState } of statuses) {
    if ("running" in state) running++;
    else if ("terminated" in state) {
      stopped++;
      if (state.terminated.exitCode === 0) succeeded++;
    } else if ("terminated" in lastState) stopped++;
    else waiting++;
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped === 0) return "Pending";
  if (!terminal && restartPolicy === "Always") return "Running";
  if (stopped === succeeded) return "Succeeded";
  if (terminal || restartPolicy === "Never") return "Failed";
  return "Running";
}

/** The containers the pod spec names. */
export function specContainers(spec: Record<string, unknown>): { name: string; image: string }[] {
  const list = Array.isArray(spec.containers) ? spec.containers : [];
  return list.filter(isRecord).map((c) => ({ name: str(c.name) ?? "", image: str(c.image) ?? "" })).filter((c) => c.name !== "");
}

/** The report status of a pod. */
export function podStatus(input: StatusInput<PodDetail>, restartPolicy: string): PodReportStatus {
  const { object, observation, restartPending, terminal, lostAt, hostIP, acceptedAt } = input;
  const statuses = specContainers(object.spec).map((c) =>
    containerStatus(c.name, c.image, observation?.detail.containers.find((o) => o.name === c.name), restartPending, lostAt, restartPolicy));
  const phase = podPhase(restartPolicy, statuses, terminal || lostAt !== undefined);
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  const done = phase === "Succeeded" || phase === "Failed";
  const readiness = unready.length === 0 && !done
    ? { status: "True" }
    : { status: "False", reason: done ? "PodCompleted" : "ContainersNotReady", ...(done ? {} : { message: `containers with unready status: [${unready.join(" ")}]` }) };
  const ip = observation?.ip;
  const startTime = str(object.status.startTime) ?? acceptedAt;
  return {
    phase,
    ...(lostAt ? { message: "the host restarted and its container runtime no longer has this pod" } : {}),
    conditions: [
      { type: "PodScheduled", status: "True" },
      { type: "Initialized", status: "True" },
      { type: "ContainersReady", ...readiness },
      { type: "Ready", ...readiness },
    ],
    hostIP,
    hostIPs: [{ ip: hostIP }],
    ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
    ...(startTime ? { startTime } : {}),
    containerStatuses: statuses,
  };
}
