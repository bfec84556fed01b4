/**
 * @module
 * How values read at a glance: ages as kubectl prints them, quantities as
 * numbers, and the badge tone of a phase or status.
 */
import type { KObj } from "./api/client";

/** kubectl's short age: 42s, 5m, 3h, 2d. */
export function age(ts: string | undefined, now = Date.now()): string {
  if (!ts) return "";
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5,
};

/** A resource.Quantity as a number (cores for cpu, bytes for memory); 0 when unreadable. */
export function quantity(q: unknown): number {
  if (typeof q === "number") return q;
  if (typeof q !== "string") return 0;
  const m = /^([0-9.]+)(n|u|m|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$/.exec(q.trim());
  if (!m) return 0;
  return Number(m[1]) * (SUFFIX[m[2] ?? ""] ?? 1);
}

/** Bytes as Mi/Gi. */
export function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(n >= 10 * 1024 ** 3 ? 0 : 1)}Gi`;
  return `${Math.round(n / 1024 ** 2)}Mi`;
}

/** Cores, with millicores below one. */
export function cores(n: number): string {
  return n >= 1 ? `${Number(n.toFixed(2))}` : `${Math.round(n * 1000)}m`;
}

export type Tone = "ok" | "warn" | "bad" | "idle" | "info";

/** The colour family of a phase, printableStatus or condition. */
export function tone(state: string): Tone {
  switch (state) {
    case "Running": case "Ready": case "Succeeded": case "Bound": case "Active": case "True": case "Normal":
      return "ok";
    case "Starting": case "Stopping": case "Pending": case "Scheduling": case "Scheduled": case "Provisioning":
    case "Migrating": case "Terminating": case "WaitingForVolumeBinding": case "Unknown": case "Paused":
      return "warn";
    case "Failed": case "CrashLoopBackOff": case "ErrorUnschedulable": case "ErrorImagePull": case "NotReady": case "Warning": case "False":
      return "bad";
    case "Stopped": case "Halted": case "Cordoned":
      return "idle";
    default:
      return "info";
  }
}

const rec = (v: unknown): Record<string, unknown> => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number => (typeof v === "number" ? v : 0);

/** Typed reads of the fields the views show. */
export const field = { rec, str, num };

/** The status word of a row: a VM's printableStatus, a phase, or Terminating. */
export function statusOf(o: KObj): string {
  if (o.metadata.deletionTimestamp) return "Terminating";
  const s = rec(o.status);
  return str(s.printableStatus) || str(s.phase) || (o.kind === "Deployment" || o.kind === "ReplicaSet" || o.kind === "VirtualMachineInstanceReplicaSet" ? "" : "Pending");
}

/** The node a pod or VMI is bound to. */
export function nodeOf(o: KObj): string {
  return str(rec(o.status).nodeName) || str(rec(o.spec).nodeName);
}

/** A pod's or VMI's IP. */
export function ipOf(o: KObj): string {
  const s = rec(o.status);
  if (str(s.podIP)) return str(s.podIP);
  const ifaces = Array.isArray(s.interfaces) ? s.interfaces : [];
  return str(rec(ifaces[0]).ipAddress);
}

/** Desired and ready counts of a replicated kind, or undefined for others. */
export function counts(o: KObj): { desired: number; ready: number } | undefined {
  if (o.kind !== "ReplicaSet" && o.kind !== "VirtualMachineInstanceReplicaSet" && o.kind !== "Deployment") return undefined;
  const spec = rec(o.spec);
  return { desired: spec.replicas === undefined ? 1 : num(spec.replicas), ready: num(rec(o.status).readyReplicas) };
}

/** A condition's status, by type. */
export function condition(o: KObj, type: string): string {
  const conds = Array.isArray(rec(o.status).conditions) ? (rec(o.status).conditions as unknown[]) : [];
  return str(rec(conds.find((c) => rec(c).type === type)).status);
}
