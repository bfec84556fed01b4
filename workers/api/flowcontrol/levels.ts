/**
 * @module
 * The priority levels and flow schemas, after upstream's bootstrap
 * configuration (k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap): members of
 * system:masters are exempt; host agents (system:nodes) get node-high;
 * controllers workload-high; ServiceAccounts workload-low; every other
 * authenticated user global-default; anything else catch-all. Seats are
 * shared out by each level's nominal concurrency shares, per isolate, and
 * every flow is one user (upstream's ByUser distinguisher).
 */
import { ADMIN_GROUP, AUTHENTICATED_GROUP, NODES_GROUP } from "../../../shared/hosts/constants";
import { FairQueue } from "./fair-queue";

/** A priority level's configuration (flowcontrol/v1 PriorityLevelConfiguration, reduced). */
export interface PriorityLevel {
  name: string;
  uid: string;
  /** Undefined for the exempt level: never queued. */
  shares?: number;
}

/** A flow schema: who it matches and which level serves them. */
export interface FlowSchema {
  name: string;
  uid: string;
  level: PriorityLevel;
  matches: (user: { username: string; groups: readonly string[] }) => boolean;
}

/** Requests executing at once per isolate over all levels (upstream's max-requests-inflight + max-mutating-requests-inflight). */
export const TOTAL_SEATS = 600;

/**
 * The seats of this deployment: `APF_TOTAL_SEATS` when it is a whole number
 * ≥ 1, else {@link TOTAL_SEATS}. Seats protect only if they match what the
 * isolate can actually run at once: upstream sizes them to the apiserver's
 * cores; one workerd thread on a small machine serves far fewer (bench/fairness).
 */
export function totalSeatsOf(vars: { APF_TOTAL_SEATS?: string }): number {
  const raw = vars.APF_TOTAL_SEATS;
  return raw !== undefined && /^\d+$/.test(raw) && Number(raw) >= 1 ? Number(raw) : TOTAL_SEATS;
}
/** Requests one user may have waiting in its level. */
export const QUEUE_LENGTH_LIMIT = 50;
/** How long a request may wait for a seat (upstream: a quarter of the 60 s request timeout). */
export const MAX_WAIT_MS = 15_000;

// The UIDs are fixed: clients see them in the X-Kubernetes-PF-* headers and may compare them across requests.
const exempt: PriorityLevel = { name: "exempt", uid: "8d6a8b9c-7f1e-4e0a-9a41-0e9f0b3a1c01" };
const nodeHigh: PriorityLevel = { name: "node-high", uid: "8d6a8b9c-7f1e-4e0a-9a41-0e9f0b3a1c02", shares: 40 };
const workloadHigh: PriorityLevel = { name: "workload-high", uid: "8d6a8b9c-7f1e-4e0a-9a41-0e9f0b3a1c03", shares: 40 };
const workloadLow: PriorityLevel = { name: "workload-low", uid: "8d6a8b9c-7f1e-4e0a-9a41-0e9f0b3a1c04", shares: 100 };
const globalDefault: PriorityLevel = { name: "global-default", uid: "8d6a8b9c-7f1e-4e0a-9a41-0e9f0b3a1c05", shares: 20 };
const catchAll: PriorityLevel = { name: "catch-all", uid: "8d6a8b9c-7f1e-4e0a-9a41-0e9f0b3a1c06", shares: 5 };

/** The levels, exempt first. */
export const PRIORITY_LEVELS: readonly PriorityLevel[] = [exempt, nodeHigh, workloadHigh, workloadLow, globalDefault, catchAll];

const inGroup = (group: string) => (user: { groups: readonly string[] }) => user.groups.includes(group);

/** The flow schemas in matching order (upstream: by matchingPrecedence). */
export const FLOW_SCHEMAS: readonly FlowSchema[] = [
  { name: "exempt", uid: "3f0c2a51-5b8e-4d7c-8f6a-2b1d9e4c7a01", level: exempt, matches: inGroup(ADMIN_GROUP) },
  { name: "system-node-high", uid: "3f0c2a51-5b8e-4d7c-8f6a-2b1d9e4c7a02", level: nodeHigh, matches: inGroup(NODES_GROUP) },
  { name: "system-controllers", uid: "3f0c2a51-5b8e-4d7c-8f6a-2b1d9e4c7a03", level: workloadHigh, matches: (u) => u.username.startsWith("system:controller:") },
  { name: "service-accounts", uid: "3f0c2a51-5b8e-4d7c-8f6a-2b1d9e4c7a04", level: workloadLow, matches: inGroup("system:serviceaccounts") },
  { name: "global-default", uid: "3f0c2a51-5b8e-4d7c-8f6a-2b1d9e4c7a05", level: globalDefault, matches: inGroup(AUTHENTICATED_GROUP) },
  { name: "catch-all", uid: "3f0c2a51-5b8e-4d7c-8f6a-2b1d9e4c7a06", level: catchAll, matches: () => true },
];

/** The flow schema a caller falls under. */
export function classify(user: { username: string; groups: readonly string[] }): FlowSchema {
  return FLOW_SCHEMAS.find((f) => f.matches(user)) ?? (FLOW_SCHEMAS[FLOW_SCHEMAS.length - 1] as FlowSchema);
}

const totalShares = PRIORITY_LEVELS.reduce((sum, l) => sum + (l.shares ?? 0), 0);

/** Seats of a level: its share of TOTAL_SEATS, at least one. */
export function seatsOf(level: PriorityLevel, total = TOTAL_SEATS): number {
  return Math.max(1, Math.ceil((total * (level.shares ?? 0)) / totalShares));
}

const queues = new Map<string, FairQueue>();

/** The isolate's queue of a (non-exempt) level, with the deployment's seats. */
export function queueOf(level: PriorityLevel, totalSeats = TOTAL_SEATS): FairQueue {
  const key = `${level.name}/${totalSeats}`;
  let q = queues.get(key);
  if (!q) {
    q = new FairQueue({ seats: seatsOf(level, totalSeats), queueLengthLimit: QUEUE_LENGTH_LIMIT, maxWaitMs: MAX_WAIT_MS });
    queues.set(key, q);
  }
  return q;
}
