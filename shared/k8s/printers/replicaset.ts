/**
 * @module
 * `kubectl get rs` columns: upstream's printReplicaSet
 * (kubernetes pkg/printers/internalversion/printers.go, v1.32).
 */
import type { KubeObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, NAME_COLUMN, column } from "./columns";
import { at, num, str } from "./fields";
import { desiredReplicas, templateWideCells, templateWideColumns } from "./pod-template-cells";
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
  ...templateWideColumns(
    "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
  ),
];

/** Server-side printing for ReplicaSets (upstream printReplicaSet, wide columns included). */
export const replicaSetPrinter: Printer = {
  columns: REPLICASET_COLUMNS,
  cells(rs: KubeObject, now: Date): TableCell[] {
    return [
      str(rs.metadata.name),
      desiredReplicas(rs),
      num(at(rs, "status", "replicas")),
      num(at(rs, "status", "readyReplicas")),
      translateTimestampSince(rs.metadata.creationTimestamp, now),
      ...templateWideCells(rs),
    ];
  },
};
