/**
 * @module
 * The objects of `metrics.k8s.io/v1beta1` as metrics-server renders them:
 * NodeMetrics and PodMetrics (metadata with the labels of the node or pod,
 * `timestamp`, `window` as a Go duration, usage as quantities — CPU in
 * nanocores, memory in Ki), and duraplane's VirtualMachineInstanceMetrics,
 * which is PodMetrics' shape with one `usage` for the whole VMI.
 * @see https://github.com/kubernetes/metrics/blob/master/pkg/apis/metrics/v1beta1/types.go
 */
import type { KubeObject } from "../../shared/k8s/object";
import { formatTime } from "../../shared/k8s/time";
import type { PodSample, VMISample } from "./usage-store";

export const METRICS_GROUP = "metrics.k8s.io";
export const METRICS_VERSION = "v1beta1";
export const METRICS_API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

/** CPU and memory as quantities. */
export interface Usage {
  cpu: string;
  memory: string;
}

/** `123456789n`: nanocores, as metrics-server's scaled quantity prints them. */
export function cpuQuantity(nanoCores: number): string {
  return `${Math.max(0, Math.round(nanoCores))}n`;
}

/** Memory in Ki, rounded to the nearest Ki. */
export function memoryQuantity(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1024))}Ki`;
}

function usageOf(s: { cpuNanoCores: number; memoryBytes: number }): Usage {
  return { cpu: cpuQuantity(s.cpuNanoCores), memory: memoryQuantity(s.memoryBytes) };
}

/**
 * A duration as Go's `time.Duration.String()` prints it: `10s`, `10.5s`,
 * `1m0s`, `1h2m3.25s` (metav1.Duration, the type of `window`).
 */
export function goDuration(seconds: number): string {
  const nanos = Math.round(seconds * 1e9);
  if (nanos === 0) return "0s";
  const fraction = (n: number): string => {
    const whole = Math.floor(n / 1e9);
    const rest = n % 1e9;
    return rest === 0 ? `${whole}` : `${whole}.${String(rest).padStart(9, "0").replace(/0+$/, "")}`;
  };
  if (nanos < 1e9) {
    // Go prints sub-second durations in ms/µs/ns; windows are never that short, but stay exact.
    if (nanos % 1e6 === 0) return `${nanos / 1e6}ms`;
    return `${nanos}ns`;
  }
  const hours = Math.floor(nanos / 3600e9);
  const minutes = Math.floor((nanos % 3600e9) / 60e9);
  const secs = fraction(nanos % 60e9);
  if (hours > 0) return `${hours}h${minutes}m${secs}s`;
  if (minutes > 0) return `${minutes}m${secs}s`;
  return `${secs}s`;
}

function labelsOf(obj: KubeObject): Record<string, string> | undefined {
  const labels = obj.metadata.labels;
  return labels && Object.keys(labels).length > 0 ? labels : undefined;
}

function metadata(obj: KubeObject, now: number): Record<string, unknown> {
  const labels = labelsOf(obj);
  return {
    name: obj.metadata.name,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    // metrics-server stamps the time of the read: the object is made for this answer.
    creationTimestamp: formatTime(now),
    ...(labels ? { labels } : {}),
  };
}

/** One NodeMetrics for a Node and its sample. */
export function nodeMetrics(node: KubeObject, sample: { timestamp: string; windowSeconds: number; cpuNanoCores: number; memoryBytes: number }, now: number): object {
  return { metadata: metadata(node, now), timestamp: sample.timestamp, window: goDuration(sample.windowSeconds), usage: usageOf(sample) };
}

/** One PodMetrics for a Pod and its sample. */
export function podMetrics(pod: KubeObject, sample: PodSample, now: number): object {
  return {
    metadata: metadata(pod, now), timestamp: sample.timestamp, window: goDuration(sample.windowSeconds),
    containers: sample.containers.map((c) => ({ name: c.name, usage: usageOf(c) })),
  };
}

/** One VirtualMachineInstanceMetrics for a VMI and its sample. */
export function vmiMetrics(vmi: KubeObject, sample: VMISample, now: number): object {
  return { metadata: metadata(vmi, now), timestamp: sample.timestamp, window: goDuration(sample.windowSeconds), usage: usageOf(sample) };
}

/** A single object of `kind`, as a GET of a name returns it. */
export function single(kind: string, item: object): object {
  return { kind, apiVersion: METRICS_API_VERSION, ...item };
}

/** A list of `kind`, as a GET of a collection returns it. */
export function list(kind: string, items: object[]): object {
  return { kind: `${kind}List`, apiVersion: METRICS_API_VERSION, metadata: {}, items };
}
