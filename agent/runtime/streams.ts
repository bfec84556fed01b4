/**
 * @module
 * What an adapter may offer beyond running workloads: streams into them,
 * the CRI's and virt-handler's streaming calls (ContainerLogs, Exec, Attach,
 * PortForward; a domain's serial console and VNC socket). Each is optional:
 * the tunnel asks an adapter for what it has (`hasContainerStreams`,
 * `hasVMStreams`) and refuses the rest. The simulated runtimes implement
 * all of them; the containerd and libvirt adapters can add theirs without
 * touching the tunnel or the API.
 *
 * Contract: every call refuses with a `StreamRefusal` (a Kubernetes Status's
 * code, reason and message) when the workload or container is not here or
 * not in a state to serve it; the returned Node streams carry bytes with
 * backpressure, and end when the workload's side ends.
 */
import type { GuestQuery } from "../../shared/tunnel/frames.ts";
import type { Duplex, Readable, Writable } from "node:stream";
import type { LogOptions } from "../../shared/tunnel/frames.ts";

/** A refusal the API shows the client as a Status. */
export class StreamRefusal extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
    this.name = "StreamRefusal";
  }
}

/** 400 BadRequest, the kubelet's answer to most stream refusals. */
export function badStream(message: string): StreamRefusal {
  return new StreamRefusal(400, "BadRequest", message);
}

/** 404 NotFound: the workload is not on this host. */
export function notHere(what: string): StreamRefusal {
  return new StreamRefusal(404, "NotFound", `${what} is not running on this node`);
}

/** A process inside a container (exec) or the container's own (attach). */
export interface ProcessSession {
  /** The process's standard input; absent when it reads none. */
  stdin?: Writable;
  stdout: Readable;
  stderr?: Readable;
  /** The terminal's size changed (tty only). */
  resize(width: number, height: number): void;
  /** Resolves with the exit code once the process ended and its output is written. */
  exit: Promise<number>;
  /** The client went away: end the process (exec) or detach (attach). */
  kill(): void;
}

/** Where a workload is, by the ids the tunnel is given. */
export interface WorkloadRef {
  uid: string;
  namespace: string;
  name: string;
}

/** Streams into a pod's containers. */
export interface ContainerStreams {
  /** The container's log per PodLogOptions; follows until the container exits when asked to. */
  logs(pod: WorkloadRef, container: string, options: LogOptions): Promise<Readable>;
  exec(pod: WorkloadRef, container: string, command: readonly string[], tty: boolean, stdin: boolean): Promise<ProcessSession>;
  attach(pod: WorkloadRef, container: string, tty: boolean, stdin: boolean): Promise<ProcessSession>;
  /** A connection to `port` inside the pod's network namespace. */
  portForward(pod: WorkloadRef, port: number): Promise<Duplex>;
}

/** Streams into a VM. */
export interface VMStreams {
  /** The serial console (a byte stream, as virt-handler's console socket). */
  console(vmi: WorkloadRef): Promise<Duplex>;
  /** The VNC server (raw RFB). */
  vnc(vmi: WorkloadRef): Promise<Duplex>;
  /** One document from the guest agent, in KubeVirt's terms (guest-agent.ts); 409 when none is connected. */
  guest(vmi: WorkloadRef, query: GuestQuery): Promise<Record<string, unknown>>;
}

/** Whether an adapter offers container streams. */
export function hasContainerStreams(adapter: object): adapter is ContainerStreams {
  return "logs" in adapter && "exec" in adapter && "attach" in adapter && "portForward" in adapter;
}

/** Whether an adapter offers VM streams. */
export function hasVMStreams(adapter: object): adapter is VMStreams {
  return "console" in adapter && "vnc" in adapter && "guest" in adapter;
}
