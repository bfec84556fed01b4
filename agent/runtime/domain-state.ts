/**
 * @module
 * What `virsh domstate --reason` says, and how an ended domain becomes an
 * exit, as virt-handler maps libvirt's state and reason to a VMI phase: a
 * guest that powered itself off (or that we shut down over ACPI) ends with
 * Shutdown and exit code 0 (the VMI Succeeded); a QEMU that crashed or was
 * killed ends Crashed (Failed); a destroy at the end of the grace period is
 * Destroyed, 137, as the simulated runtime and the kubelet's SIGKILL say.
 */

/** libvirt's domain states, as virsh prints them. */
export type DomainStateName = "running" | "blocked" | "paused" | "in shutdown" | "shut off" | "crashed" | "pmsuspended" | "idle" | "no state";

/** One `domstate --reason` answer. */
export interface DomainState {
  state: DomainStateName | string;
  reason: string;
}

/** Parses `running (booted)`, `shut off (crashed)`, `in shutdown (user)`. */
export function parseDomState(output: string): DomainState {
  const line = output.trim().split("\n")[0]?.trim() ?? "";
  const m = /^(.*?)\s*\((.*)\)$/.exec(line);
  return m ? { state: m[1] ?? "", reason: m[2] ?? "" } : { state: line, reason: "" };
}

/** The domain runs (paused counts: its QEMU lives and its memory is kept). */
export function isActive(s: DomainState): boolean {
  return s.state !== "shut off" && s.state !== "crashed" && s.state !== "no state";
}

/** Suspended: by a user (`virsh suspend`), or for another reason libvirt names. */
export function isPaused(s: DomainState): boolean {
  return s.state === "paused" || s.state === "pmsuspended";
}

/** How a run ended. */
export interface ExitOf {
  exitCode: number;
  reason: string;
  message?: string;
}

/** The exit of a domain in state `s`; `destroyedByUs` when the grace period ran out. */
export function exitOf(s: DomainState, destroyedByUs: boolean): ExitOf {
  if (destroyedByUs) return { exitCode: 137, reason: "Destroyed", message: "destroyed after the termination grace period" };
  if (s.state === "shut off" && s.reason === "shutdown") return { exitCode: 0, reason: "Shutdown" };
  if (s.state === "crashed" || s.reason === "crashed" || s.reason === "failed") {
    return { exitCode: 1, reason: "Crashed", message: `the QEMU process ended unexpectedly (libvirt: ${s.state} (${s.reason}))` };
  }
  if (s.reason === "destroyed") return { exitCode: 137, reason: "Destroyed", message: "the domain was destroyed outside the agent" };
  return { exitCode: 1, reason: "Crashed", message: `libvirt: ${s.state}${s.reason ? ` (${s.reason})` : ""}` };
}
