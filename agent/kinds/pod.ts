/**
 * @module
 * Pods on this host: what the container runtime is given, the grace period
 * (`deletionGracePeriodSeconds`, else `terminationGracePeriodSeconds`, else 30),
 * and restartPolicy (Always restarts every exit, OnFailure a non-zero one,
 * Never none).
 */
import type { ApiObject } from "../objects.ts";
import { num, str } from "../objects.ts";
import type { Exited } from "../runtime/adapter.ts";
import type { ContainerRuntime, PodDetail, PodRuntimeSpec } from "../runtime/containers.ts";
import { FINAL_PHASES, type KindDriver } from "./driver.ts";
import { podStatus, specContainers } from "./pod-status.ts";

/** Upstream's default terminationGracePeriodSeconds. */
const DEFAULT_GRACE_SECONDS = 30;

function restartPolicy(object: ApiObject): string {
  return str(object.spec.restartPolicy) ?? "Always";
}

/** The driver for pods, over a container runtime. */
export function podDriver(adapter: ContainerRuntime): KindDriver<PodRuntimeSpec, PodDetail> {
  return {
    kind: "Pod",
    noun: "pod",
    adapter,
    workload: (object) => ({
      uid: object.metadata.uid, namespace: object.metadata.namespace, name: object.metadata.name,
      annotations: object.metadata.annotations, spec: { containers: specContainers(object.spec) }, rawSpec: object.spec,
    }),
    gracePeriodSeconds: (object) =>
      object.metadata.deletionGracePeriodSeconds ?? num(object.spec.terminationGracePeriodSeconds) ?? DEFAULT_GRACE_SECONDS,
    isFinal: (object) => FINAL_PHASES.has(str(object.status.phase) ?? ""),
    shouldRestart: (object, exit: Exited) => {
      const policy = restartPolicy(object);
      return policy === "Always" || (policy === "OnFailure" && exit.exitCode !== 0);
    },
    // A pod that never restarts cannot be started again once the runtime lost it.
    isLost: (object) => str(object.status.phase) === "Running" && restartPolicy(object) === "Never",
    item: (base, input) => ({ kind: "Pod", ...base, status: podStatus(input, restartPolicy(input.object)) }),
  };
}
