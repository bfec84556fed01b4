/**
 * @module
 * `kubectl get rs` columns: upstream's printReplicaSet
 * (kubernetes pkg/printers/internalversion/printers.go, v1.32).
 */
import type { KubeObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, CONTAINERS_DESCRIPTION, IMAGES_DESCRIPTION, NAME_COLUMN, column, wideColumn } from "./columns";
import { at, list, num, str } from "./fields";
import { formatLabelSelector } from "./format-label-selector";
import { translateTimestampSince } from "./timestamp";

// Descriptions are extensions/v1beta1 ReplicaSetSpec/ReplicaSetStatus swagger docs, as upstream uses.
const REPLICASET_COLUMNS = [
  NAME_COLUMN,
  column(
    "Desired",
    "integer",
    "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller",
  ),
  column(
    "Current",
    "integer",
    "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller",
  ),
  column("Ready", "integer", "The number of ready replicas for this replica set."),
  AGE_COLUMN,
  wideColumn("Containers", "string", CONTAINERS_DESCRIPTION),
  wideColumn("Images", "string", IMAGES_DESCRIPTION),
  wideColumn(
    "Selector",
    "string",
    "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
  ),
];

/**
 * Upstream's layoutContainerCells: container names and images, each joined by ",".
 * Shared with other printers of pod templates.
 */
export function layoutContainerCells(containers: unknown): { names: string; images: string } {
  const items = list(containers);
  return {
    names: items.map((c) => str(at(c, "name"))).join(","),
    images: items.map((c) => str(at(c, "image"))).join(","),
  };
}

/** Server-side printing for ReplicaSets (upstream printReplicaSet, wide columns included). */
export const replicaSetPrinter: Printer = {
  columns: REPLICASET_COLUMNS,
  cells(rs: KubeObject, now: Date): TableCell[] {
    // The internal type holds the defaulted value: an unset spec.replicas is 1.
    const desired = at(rs, "spec", "replicas") === undefined ? 1 : num(at(rs, "spec", "replicas"));
    const { names, images } = layoutContainerCells(at(rs, "spec", "template", "spec", "containers"));
    return [
      str(rs.metadata.name),
      desired,
      num(at(rs, "status", "replicas")),
      num(at(rs, "status", "readyReplicas")),
      translateTimestampSince(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(at(rs, "spec", "selector")),
    ];
  },
};
