/**
 * @module
 * VirtualMachine crash-loop back-off: `status.startFailure`, recorded when a
 * VMI goes final without ever running and cleared once one runs (KubeVirt
 * `watch/vm/vm.go` calculateStartBackoffTime, syncStartFailureStatus,
 * startFailureBackoffTimeLeft).
 */
import { isJsonObject, type KubeObject } from "../../../shared/k8s/object";
import { statusOf, timeOf } from "../shared/object-fields";
import { isVMIFinal } from "../replicaset/vmi-policy";
import { formatTime } from "../../../shared/k8s/time";

/** `defaultMaxCrashLoopBackoffDelaySeconds`. */
export const MAX_CRASH_LOOP_BACKOFF_DELAY_SECONDS = 300;

/** `v1.VirtualMachineStartFailure`. */
export interface VirtualMachineStartFailure {
  consecutiveFailCount?: number;
  lastFailedVMIUID?: string;
  retryAfterTimestamp?: string;
}

/** `rand.Intn(n)`: an integer in [0, n). Injectable so tests can pin the jitter. */
export type RandomInt = (n: number) => number;

/** The default jitter source. */
export const mathRandomInt: RandomInt = (n) => Math.floor(Math.random() * n);

/**
 * `calculateStartBackoffTime`: `interval · n²` seconds with `interval =
 * max(maxDelay / 30, 10)` (10 s for the 300 s cap), plus `randomInt(delay/2 + 1)`
 * seconds of jitter, capped at `maxDelay`. A count ≤ 0 counts as 1.
 * @example calculateStartBackoffTime(3, 300, () => 0) // 90
 */
export function calculateStartBackoffTime(
  failCount: number,
  maxDelay = MAX_CRASH_LOOP_BACKOFF_DELAY_SECONDS,
  randomInt: RandomInt = mathRandomInt,
): number {
  const n = failCount <= 0 ? 1 : failCount;
  const interval = Math.max(Math.trunc(maxDelay / 30), 10);
  let delay = interval * n * n;
  delay += randomInt(Math.trunc(delay / 2) + 1);
  return Math.min(delay, maxDelay);
}

/** `status.startFailure`, or undefined when absent. */
export function startFailureOf(vm: KubeObject): VirtualMachineStartFailure | undefined {
  const sf = statusOf(vm).startFailure;
  if (!isJsonObject(sf)) return undefined;
  const out: VirtualMachineStartFailure = {};
  if (typeof sf.consecutiveFailCount === "number") out.consecutiveFailCount = sf.consecutiveFailCount;
  if (typeof sf.lastFailedVMIUID === "string") out.lastFailedVMIUID = sf.lastFailedVMIUID;
  if (typeof sf.retryAfterTimestamp === "string") out.retryAfterTimestamp = sf.retryAfterTimestamp;
  return out;
}

/** `startFailureBackoffTimeLeft`: whole seconds until `retryAfterTimestamp`, 0 when passed or unset. */
export function startFailureBackoffTimeLeft(vm: KubeObject, now: Date): number {
  const retryAfter = timeOf(startFailureOf(vm)?.retryAfterTimestamp);
  if (retryAfter === undefined) return 0;
  // Upstream subtracts Unix seconds, so sub-second remainders round away.
  const diff = Math.floor(retryAfter / 1000) - Math.floor(now.getTime() / 1000);
  return diff > 0 ? diff : 0;
}

/** `wasVMIInRunningPhase`: a Running entry in `status.phaseTransitionTimestamps`. */
export function wasVMIInRunningPhase(vmi: KubeObject | undefined): boolean {
  const ts = statusOf(vmi).phaseTransitionTimestamps;
  return Array.isArray(ts) && ts.some((t) => isJsonObject(t) && t.phase === "Running");
}

/** `vmiFailedEarly`: final without ever having run. */
function vmiFailedEarly(vmi: KubeObject): boolean {
  return isVMIFinal(vmi) && !wasVMIInRunningPhase(vmi);
}

/**
 * `syncStartFailureStatus`: the next `status.startFailure`. Cleared once a
 * VMI has run, or when the strategy never restarts on its own (anything but
 * Always, RerunOnFailure, Once). A VMI that failed early bumps the count
 * once (keyed by its UID) and sets `retryAfterTimestamp = now + backoff`.
 */
export function syncStartFailure(
  vm: KubeObject,
  runStrategy: string,
  vmi: KubeObject | undefined,
  now: Date,
  randomInt: RandomInt = mathRandomInt,
): VirtualMachineStartFailure | undefined {
  const current = startFailureOf(vm);
  if (wasVMIInRunningPhase(vmi)) return undefined;
  if (runStrategy !== "Always" && runStrategy !== "RerunOnFailure" && runStrategy !== "Once") return undefined;
  if (vmi === undefined || !vmiFailedEarly(vmi)) return current;
  const uid = vmi.metadata.uid ?? "";
  if (current !== undefined && (current.lastFailedVMIUID ?? "") === uid) return current;
  const count = (current?.consecutiveFailCount ?? 0) + 1;
  const delaySeconds = calculateStartBackoffTime(count, MAX_CRASH_LOOP_BACKOFF_DELAY_SECONDS, randomInt);
  return {
    consecutiveFailCount: count,
    lastFailedVMIUID: uid,
    retryAfterTimestamp: formatTime(now.getTime() + delaySeconds * 1000),
  };
}
