/**
 * @module
 * The container flavour of the simulated runtime: a pod's containers start,
 * run and exit together, with containerd-like ids and exit reasons
 * (StartError 128 for a failed start, Error for a crash, 137 when killed).
 */
import type { AddressPool } from "./addresses.ts";
import { digestOf } from "./addresses.ts";
import type { PodDetail, PodRuntimeSpec } from "./containers.ts";
import { type Flavour, type SimRecord, type SimulationOptions } from "./simulated.ts";
// A cycle, harmless: each module uses the other's exports only when called.
import { SimulatedContainerRuntime } from "./simulated-container-streams.ts";
import { AGENT_VERSION } from "../version.ts";
import { podDemand } from "./simulated-usage.ts";

/** `nginx:1.27` → `docker.io/library/nginx`, as containerd names images. */
function imageRepository(image: string): string {
  const repo = image.replace(/@.*$/, "").replace(/:[^/:]*$/, "");
  return repo.includes("/") ? repo : `docker.io/library/${repo}`;
}

function podDetail(record: SimRecord<PodRuntimeSpec>): PodDetail {
  const { workload, state, attempt, lastExit } = record;
  return {
    containers: workload.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `${imageRepository(c.image)}@sha256:${digestOf(c.image)}`,
      // A container exists from its first start on; a failed start still leaves one behind.
      containerID: state.phase === "creating" && attempt === 0 ? undefined : `simulated://${digestOf(workload.uid, c.name, String(attempt))}`,
      state,
      lastExit,
      restartCount: attempt,
    })),
  };
}

/** Flavour of the simulated container runtime. */
export const containerFlavour: Flavour<PodRuntimeSpec, PodDetail> = {
  runtimeVersion: `simulated://${AGENT_VERSION}`,
  bootFailure: { exitCode: 128, reason: "StartError", message: "failed to create containerd task: simulated start failure" },
  crash: { exitCode: 1, reason: "Error" },
  completed: { exitCode: 0, reason: "Completed" },
  stopped: { exitCode: 0, reason: "Completed" },
  killed: { exitCode: 137, reason: "Error", message: "killed after the termination grace period" },
  detail: podDetail,
  demand: (record) => podDemand(record.workload.rawSpec, record.workload.spec.containers.map((c) => c.name)),
};

/** A simulated container runtime for pods, with streams (simulated-container-streams.ts). */
export function simulatedContainerRuntime(options: SimulationOptions, addresses: AddressPool): SimulatedContainerRuntime {
  return new SimulatedContainerRuntime(options, addresses);
}
