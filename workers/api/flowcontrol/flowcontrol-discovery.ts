/**
 * @module
 * Discovery of `flowcontrol.apiserver.k8s.io/v1`, served beside the registry
 * (flowcontrol-routes.ts): the legacy APIResourceList and the group's entry
 * in the aggregated discovery document, with the read verbs only.
 */
import { FLOWCONTROL_GROUP, FLOWCONTROL_VERSION } from "./flowcontrol-objects";

const VERBS = ["get", "list"];

/** What the group serves (cluster-scoped, each with a read-only status subresource). */
const RESOURCES = [
  { name: "flowschemas", singularName: "flowschema", kind: "FlowSchema" },
  { name: "prioritylevelconfigurations", singularName: "prioritylevelconfiguration", kind: "PriorityLevelConfiguration" },
] as const;

/** The group-version, for `/apis` and `/apis/flowcontrol.apiserver.k8s.io`. */
export const FLOWCONTROL_GROUP_VERSION = { group: FLOWCONTROL_GROUP, version: FLOWCONTROL_VERSION };

/** Legacy `/apis/flowcontrol.apiserver.k8s.io/v1`. */
export function flowControlResourceList(): object {
  return {
    kind: "APIResourceList", apiVersion: "v1", groupVersion: `${FLOWCONTROL_GROUP}/${FLOWCONTROL_VERSION}`,
    resources: RESOURCES.flatMap((r) => [
      { name: r.name, singularName: r.singularName, namespaced: false, kind: r.kind, verbs: VERBS },
      { name: `${r.name}/status`, singularName: "", namespaced: false, kind: r.kind, verbs: ["get"] },
    ]),
  };
}

/** The group's item of an aggregated discovery document. */
export function flowControlAggregatedGroup(): object {
  return {
    metadata: { name: FLOWCONTROL_GROUP, creationTimestamp: null },
    versions: [{
      version: FLOWCONTROL_VERSION,
      freshness: "Current",
      resources: RESOURCES.map((r) => {
        const responseKind = { group: FLOWCONTROL_GROUP, version: FLOWCONTROL_VERSION, kind: r.kind };
        return { resource: r.name, responseKind, scope: "Cluster", singularResource: r.singularName, verbs: VERBS, subresources: [{ subresource: "status", responseKind, verbs: ["get"] }] };
      }),
    }],
  };
}
