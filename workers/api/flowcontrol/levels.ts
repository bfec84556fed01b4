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
import { controllerUsername } from "../../audit/controller-audit";
import type { ControllerName } from "../../controllers/runtime/keys";
import { FairQueue } from "./fair-queue";

/** A priority level's configuration (flowcontrol/v1 PriorityLevelConfiguration, reduced). */
export interface PriorityLevel {
  name: string;
  uid: string;
  /** Undefined for the exempt level: never queued. */
  shares?: number;
}

/** flowcontrol/v1 Subject: a user, a group or a ServiceAccount; `*` as a user's or group's name matches every one. */
export type Subject =
  | { kind: "User"; user: { name: string } }
  | { kind: "Group"; group: { name: string } }
  | { kind: "ServiceAccount"; serviceAccount: { namespace: string; name: string } };

/**
 * A flow schema: who it matches (upstream's subjects; every schema here
 * covers every resource and non-resource request, so its rules are `*`),
 * and which level serves them. Flows are distinguished by user.
 */
export interface FlowSchema {
  name: string;
  uid: string;
  matchingPrecedence: number;
  level: PriorityLevel;
  subjects: readonly Subject[];
}

/** Whether `subject` names the caller (upstream's matchesASubject). */
export function subjectMatches(subject: Subject, user: { username: string; groups: readonly string[] }): boolean {
  switch (subject.kind) {
    case "User":
      return subject.user.name === "*" || subject.user.name === user.username;
    case "Group":
      return subject.group.name === "*" || user.groups.includes(subject.group.name);
    case "ServiceAccount":
      return user.username === `system:serviceaccount:${subject.serviceAccount.namespace}:${subject.serviceAccount.name}` ||
        (subject.serviceAccount.name === "*" && user.username.startsWith(`system:serviceaccount:${subject.serviceAccount.namespace}:`));
  }
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
/**
 * How long a request may hold a seat before it is taken for lost (fair-queue.ts):
 * upstream's default request timeout (the apiserver's --request-timeout, 1 min),
 * past which its requests are answered 504 anyway.
 */
export const MAX_HOLD_MS = 60_000;

// The UIDs are fixed: clients see them in the X-Kubernetes-PF-* headers and may compare them across requests.
const exempt: PriorityLevel = { name: "exempt", uid: "8d6a8b9c-7f1e-4e0a-9a41-0e9f0b3a1c01" };
const nodeHigh: PriorityLevel = { name: "node-high", uid: "8d6a8b9c-7f1e-4e0a-9a41-0e9f0b3a1c02", shares: 40 };
const workloadHigh: PriorityLevel = { name: "workload-high", uid: "8d6a8b9c-7f1e-4e0a-9a41-0e9f0b3a1c03", shares: 40 };
const workloadLow: PriorityLevel = { name: "workload-low", uid: "8d6a8b9c-7f1e-4e0a-9a41-0e9f0b3a1c04", shares: 100 };
const globalDefault: PriorityLevel = { name: "global-default", uid: "8d6a8b9c-7f1e-4e0a-9a41-0e9f0b3a1c05", shares: 20 };
const catchAll: PriorityLevel = { name: "catch-all", uid: "8d6a8b9c-7f1e-4e0a-9a41-0e9f0b3a1c06", shares: 5 };

/** The levels, exempt first. */
export const PRIORITY_LEVELS: readonly PriorityLevel[] = [exempt, nodeHigh, workloadHigh, workloadLow, globalDefault, catchAll];

const group = (name: string): Subject => ({ kind: "Group", group: { name } });

/**
 * The identities the controllers inside the Worker act as (audit/controller-audit.ts):
 * a Record over every ControllerName, so a new controller cannot be left out.
 */
const CONTROLLERS: Readonly<Record<ControllerName, true>> = {
  replicaset: true, deployment: true, vmirs: true, vmpool: true, virtualmachine: true, garbagecollector: true, scheduler: true,
  vmitermination: true, nodelifecycle: true, clusterroleaggregation: true, serviceaccounts: true, resourcequota: true,
  limitrange: true, clusterresourcequota: true, disruption: true, migration: true, evacuation: true,
};

/** The flow schemas in matching order, upstream's matchingPrecedence (lowest first). */
export const FLOW_SCHEMAS: readonly FlowSchema[] = [
  { name: "exempt", uid: "3f0c2a51-5b8e-4d7c-8f6a-2b1d9e4c7a01", matchingPrecedence: 1, level: exempt, subjects: [group(ADMIN_GROUP)] },
  { name: "system-node-high", uid: "3f0c2a51-5b8e-4d7c-8f6a-2b1d9e4c7a02", matchingPrecedence: 400, level: nodeHigh, subjects: [group(NODES_GROUP)] },
  {
    name: "system-controllers", uid: "3f0c2a51-5b8e-4d7c-8f6a-2b1d9e4c7a03", matchingPrecedence: 800, level: workloadHigh,
    subjects: Object.keys(CONTROLLERS).sort().map((c) => ({ kind: "User", user: { name: controllerUsername(c) } })),
  },
  { name: "service-accounts", uid: "3f0c2a51-5b8e-4d7c-8f6a-2b1d9e4c7a04", matchingPrecedence: 9000, level: workloadLow, subjects: [group("system:serviceaccounts")] },
  { name: "global-default", uid: "3f0c2a51-5b8e-4d7c-8f6a-2b1d9e4c7a05", matchingPrecedence: 9900, level: globalDefault, subjects: [group(AUTHENTICATED_GROUP)] },
  { name: "catch-all", uid: "3f0c2a51-5b8e-4d7c-8f6a-2b1d9e4c7a06", matchingPrecedence: 10000, level: catchAll, subjects: [group("*")] },
];

/** The flow schema a caller falls under: the first (by matchingPrecedence) with a subject naming it. */
export function classify(user: { username: string; groups: readonly string[] }): FlowSchema {
  return FLOW_SCHEMAS.find((f) => f.subjects.some((s) => subjectMatches(s, user))) ?? (FLOW_SCHEMAS[FLOW_SCHEMAS.length - 1] as FlowSchema);
}

const totalShares = PRIORITY_LEVELS.reduce((sum, l) => sum + (l.shares ?? 0), 0);

/** Seats of a level: its share of TOTAL_SEATS, at least one. */
export function seatsOf(level: PriorityLevel, total = TOTAL_SEATS): number {
  return Math.max(1, Math.ceil((total * (level.shares ?? 0)) / totalShares));
}

/**
 * Seats one flow (user) may hold at once in a level of `seats`: all but
 * one, when there is more than one. Upstream lets a flow take every seat, so
 * a second user's request waits for one of the first user's to finish
 * before it starts; on one workerd thread that wait was as long as the
 * request itself (bench/fairness: the quiet user's in-Worker p50 10 → 28 ms
 * while another flooded, of which 10 ms waiting for a seat). Keeping one seat
 * out of any single flow's reach lets another user start at once. A lone
 * user gives up one seat of concurrency, which on one thread costs little
 * throughput (bench/README, fairness).
 */
export function seatsPerFlowOf(seats: number): number {
  return seats > 1 ? seats - 1 : 1;
}

const queues = new Map<string, FairQueue>();

/** The isolate's queue of a (non-exempt) level, with the deployment's seats. */
export function queueOf(level: PriorityLevel, totalSeats = TOTAL_SEATS): FairQueue {
  const key = `${level.name}/${totalSeats}`;
  let q = queues.get(key);
  if (!q) {
    const seats = seatsOf(level, totalSeats);
    q = new FairQueue({ seats, seatsPerFlow: seatsPerFlowOf(seats), queueLengthLimit: QUEUE_LENGTH_LIMIT, maxWaitMs: MAX_WAIT_MS, maxHoldMs: MAX_HOLD_MS });
    queues.set(key, q);
  }
  return q;
}
