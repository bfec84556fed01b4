/**
 * @module
 * Every metric family /metrics serves: its name, type, help and (histograms)
 * bucket bounds, named as kube-apiserver, kube-scheduler, client-go's
 * workqueue and KubeVirt name theirs where a counterpart exists
 * (docs/metrics.md lists them with their labels). Flushed deltas and the
 * fleet store carry only numbers; what a family is comes from here.
 */

/** How a family's samples combine across isolates and how they are rendered. */
export type MetricType = "counter" | "gauge" | "histogram";

/** One metric family. */
export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  /** Histograms: the upper bounds of the buckets, ascending (+Inf is implicit). */
  buckets?: readonly number[];
}

/** `start`, `start·factor`, … (`count` bounds): Prometheus' ExponentialBuckets. */
function exponentialBuckets(start: number, factor: number, count: number): number[] {
  // Rounded to 12 significant digits, so 1e-7 is not rendered as 1.0000000000000001e-7.
  return Array.from({ length: count }, (_, i) => Number((start * factor ** i).toPrecision(12)));
}

/** kube-apiserver's apiserver_request_duration_seconds buckets (endpoints/metrics). */
const REQUEST_DURATION_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];

/** KubeVirt's phase transition buckets (virt-controller's phaseTransitionTimeBuckets). */
const PHASE_TRANSITION_BUCKETS = [
  0.5, 1, 2, 5, 10, 20, 30, 40, 50, 60, 90, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600,
];

/** The request counter. */
export const REQUEST_TOTAL: MetricFamily = {
  name: "apiserver_request_total", type: "counter",
  help: "Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
};
/** The request latency histogram. */
export const REQUEST_DURATION: MetricFamily = {
  name: "apiserver_request_duration_seconds", type: "histogram",
  help: "Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.",
  buckets: REQUEST_DURATION_BUCKETS,
};
/** Requests being served (not long-running), summed over the isolates that reported lately. */
export const CURRENT_INFLIGHT: MetricFamily = {
  name: "apiserver_current_inflight_requests", type: "gauge",
  help: "Maximal number of currently used inflight request limit of this apiserver per request kind in last second.",
};
/** Open watches per kind. */
export const REGISTERED_WATCHERS: MetricFamily = {
  name: "apiserver_registered_watchers", type: "gauge",
  help: "Number of currently registered watchers for a given resources",
};
/** Stored objects per kind. */
export const STORAGE_OBJECTS: MetricFamily = {
  name: "apiserver_storage_objects", type: "gauge",
  help: "Number of stored objects at the time of last check split by kind.",
};
/** Keys waiting or running per controller (adds minus completions). */
export const WORKQUEUE_DEPTH: MetricFamily = {
  name: "workqueue_depth", type: "gauge", help: "Current depth of workqueue",
};
/** Keys enqueued per controller. */
export const WORKQUEUE_ADDS: MetricFamily = {
  name: "workqueue_adds_total", type: "counter", help: "Total number of adds handled by workqueue",
};
/** Deliveries that left the queue (acked, or moved to the dead-letter queue): the other side of the depth. */
export const WORKQUEUE_DONE: MetricFamily = {
  name: "duraplane_workqueue_done_total", type: "counter",
  help: "Reconcile queue messages that left the queue (acknowledged, or moved to the dead-letter queue).",
};
/** Failed reconciles sent back with backoff. */
export const WORKQUEUE_RETRIES: MetricFamily = {
  name: "workqueue_retries_total", type: "counter", help: "Total number of retries handled by workqueue",
};
/** How long one reconcile run took. */
export const WORKQUEUE_WORK_DURATION: MetricFamily = {
  name: "workqueue_work_duration_seconds", type: "histogram",
  help: "How long in seconds processing an item from workqueue takes.",
  buckets: exponentialBuckets(10e-9, 10, 10),
};
/** Signed host reports by outcome. */
export const WEBHOOK_REPORTS: MetricFamily = {
  name: "duraplane_webhook_reports_total", type: "counter",
  help: "Signed host reports answered, by result (accepted, refused) and the refusal's Status reason.",
};
/** Seconds since the server last heard a node's heartbeat. */
export const NODE_HEARTBEAT_AGE: MetricFamily = {
  name: "duraplane_node_heartbeat_age_seconds", type: "gauge",
  help: "Seconds since the server last saw a heartbeat from the node's agent.",
};
/** Scheduling attempts by result. */
export const SCHEDULE_ATTEMPTS: MetricFamily = {
  name: "scheduler_schedule_attempts_total", type: "counter",
  help: "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
};
/** From a pod's (or VMI's) creation to its binding. */
export const POD_SCHEDULING_DURATION: MetricFamily = {
  name: "scheduler_pod_scheduling_duration_seconds", type: "histogram",
  help: "E2e latency for a pod being scheduled, from its creation to its binding.",
  buckets: exponentialBuckets(0.01, 2, 20),
};
/** From a VMI's creation to each phase it entered. */
export const VMI_PHASE_TRANSITION_FROM_CREATION: MetricFamily = {
  name: "kubevirt_vmi_phase_transition_time_from_creation_seconds", type: "histogram",
  help: "Histogram of VM phase transitions duration from creation time in seconds.",
  buckets: PHASE_TRANSITION_BUCKETS,
};

/**
 * Every family, in the order a scrape renders them. The dead-letter counter
 * (`duraplane_reconcile_dead_letters_total{controller}`) is rendered by
 * workers/controllers/runtime/dead-letters.ts from its D1 rows.
 */
export const FAMILIES: readonly MetricFamily[] = [
  REQUEST_TOTAL, REQUEST_DURATION, CURRENT_INFLIGHT, REGISTERED_WATCHERS, STORAGE_OBJECTS,
  WORKQUEUE_DEPTH, WORKQUEUE_ADDS, WORKQUEUE_DONE, WORKQUEUE_RETRIES, WORKQUEUE_WORK_DURATION,
  WEBHOOK_REPORTS, NODE_HEARTBEAT_AGE, SCHEDULE_ATTEMPTS, POD_SCHEDULING_DURATION, VMI_PHASE_TRANSITION_FROM_CREATION,
];

const byName = new Map(FAMILIES.map((f) => [f.name, f]));

/** The family of `name`, if served. */
export function familyOf(name: string): MetricFamily | undefined {
  return byName.get(name);
}
