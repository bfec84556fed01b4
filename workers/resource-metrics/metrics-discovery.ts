/**
 * @module
 * Discovery of `metrics.k8s.io/v1beta1`, which is served beside the registry
 * (its kinds are read-only views of in-memory samples, never stored
 * objects): the legacy APIResourceList metrics-server answers and the
 * entries of the aggregated discovery document. `kubectl top` looks for the
 * group in `/apis` before it asks for any metrics.
 */
import { METRICS_GROUP, METRICS_VERSION } from "./metrics-objects";

/** The read verbs: upstream's metrics API has no watch. */
const VERBS = ["get", "list"];

interface MetricsResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** What the group serves: upstream's two resources and duraplane's VMI usage. */
export const METRICS_RESOURCES: readonly MetricsResource[] = [
  { name: "nodes", kind: "NodeMetrics", namespaced: false },
  { name: "pods", kind: "PodMetrics", namespaced: true },
  { name: "virtualmachineinstances", kind: "VirtualMachineInstanceMetrics", namespaced: true },
];

/** The group-version, for `/apis` and `/apis/metrics.k8s.io`. */
export const METRICS_GROUP_VERSION = { group: METRICS_GROUP, version: METRICS_VERSION };

/** Legacy `/apis/metrics.k8s.io/v1beta1`. */
export function metricsResourceList(): object {
  return {
    kind: "APIResourceList", apiVersion: "v1", groupVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
    resources: METRICS_RESOURCES.map((r) => ({ name: r.name, singularName: "", namespaced: r.namespaced, kind: r.kind, verbs: VERBS })),
  };
}

/** The group's item of an aggregated discovery document (apidiscovery.k8s.io v2 and v2beta1 share this shape). */
export function metricsAggregatedGroup(): object {
  return {
    metadata: { name: METRICS_GROUP, creationTimestamp: null },
    versions: [{
      version: METRICS_VERSION,
      freshness: "Current",
      resources: METRICS_RESOURCES.map((r) => ({
        resource: r.name,
        responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind: r.kind },
        scope: r.namespaced ? "Namespaced" : "Cluster",
        singularResource: "",
        verbs: VERBS,
      })),
    }],
  };
}
