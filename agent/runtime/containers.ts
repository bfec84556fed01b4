/**
 * @module
 * The container flavour of `RuntimeAdapter` (pods): what a CRI runtime is
 * given and what it reports per container.
 */
import type { Exited, RunState, RuntimeAdapter } from "./adapter.ts";

/** One container to run. */
export interface ContainerSpec {
  name: string;
  image: string;
}

/** A pod as the container runtime sees it. */
export interface PodRuntimeSpec {
  containers: ContainerSpec[];
}

/** One container's state. */
export interface ContainerObservation {
  name: string;
  image: string;
  imageID?: string;
  containerID?: string;
  state: RunState;
  lastExit?: Exited;
  restartCount: number;
  /** The readiness probe's verdict; absent when the container has none (then ready = running). */
  ready?: boolean;
  /** Why a container not yet running waits (ErrImagePull, ImagePullBackOff, CreateContainerConfigError…); absent: ContainerCreating. */
  waiting?: { reason: string; message?: string };
}

/** What the container runtime reports for a pod. */
export interface PodDetail {
  containers: ContainerObservation[];
}

/** A runtime for pods (containerd, CRI-O, or the simulated one). */
export type ContainerRuntime = RuntimeAdapter<PodRuntimeSpec, PodDetail>;
