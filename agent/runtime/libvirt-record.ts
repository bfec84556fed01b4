/**
 * @module
 * What the libvirt adapter keeps per VMI: its domain, the run it observed
 * (attempt, state, paused), the guest's interfaces and OS info, and the
 * bookkeeping of a stop and of coalesced re-reads; and how a record becomes
 * the `Observation` the host loop sees.
 */
import type { Exited, Observation, RunState } from "./adapter.ts";
import type { GuestOSInfo, VMDetail, VMInterface } from "./vms.ts";
import { formatTime } from "../../shared/k8s/time.ts";

/** One VMI's domain, as the adapter knows it. */
export interface DomainRecord {
  uid: string;
  domain: string;
  dir: string;
  attempt: number;
  state: RunState;
  lastExit?: Exited;
  paused: boolean;
  interfaces: VMInterface[];
  guestOSInfo?: GuestOSInfo;
  guestAgentConnected: boolean;
  /** define/start under way: a shut-off domain is not an exit yet. */
  starting: boolean;
  stopRequested: boolean;
  destroyedByUs: boolean;
  /** Being (or done being) live-migrated away: libvirt's view of it is not this VMI's state. */
  migrating?: "sending" | "sent";
  /** Waiting for the run to end (stop). */
  exitWaiters: (() => void)[];
  refreshing?: Promise<void>;
  refreshAgain: boolean;
  /** When the guest agent and addresses were last asked (they cost a few virsh calls). */
  guestReadAt: number;
}

/** The guest agent and addresses are asked at most this often per domain. */
export const GUEST_READ_EVERY_MS = 5000;

/** metav1.Time now. */
export function now(): string {
  return formatTime(Date.now());
}

/** A domain name for a VMI: readable (namespace and name) and unique (a uid prefix). */
export function domainNameFor(prefix: string, vmi: { uid: string; namespace: string; name: string }): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9.-]/g, "-");
  return `${prefix}${safe(vmi.namespace)}_${safe(vmi.name)}-${safe(vmi.uid).slice(0, 8)}`;
}

/** A fresh record, `creating`. */
export function newRecord(uid: string, domain: string, dir: string, interfaces: VMInterface[] = []): DomainRecord {
  return {
    uid, domain, dir, attempt: 0, state: { phase: "creating", since: now() }, paused: false, interfaces, guestAgentConnected: false,
    starting: false, stopRequested: false, destroyedByUs: false, exitWaiters: [], refreshAgain: false, guestReadAt: 0,
  };
}

/** The observation the host loop sees (a copy). */
export function observationOf(record: DomainRecord): Observation<VMDetail> {
  const ip = record.interfaces[0]?.ipAddress;
  return {
    uid: record.uid, attempt: record.attempt, state: record.state, lastExit: record.lastExit,
    ...(ip ? { ip } : {}), paused: record.paused,
    detail: {
      interfaces: record.interfaces.map((i) => ({ ...i })),
      ...(record.guestOSInfo ? { guestOSInfo: record.guestOSInfo } : {}),
      guestAgentConnected: record.guestAgentConnected,
    },
  };
}

/** How long a destroyed domain may take to be seen shut off. */
export const DESTROY_SETTLE_MS = 30_000;

/** Resolves after `ms` without holding the process open. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** When the run in `state` started, if it ran. */
export function startedAtOf(state: RunState): string | undefined {
  return state.phase === "running" ? state.startedAt : undefined;
}
