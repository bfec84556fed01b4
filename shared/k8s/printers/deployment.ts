/**
 * @module
 * `kubectl get deploy` columns: upstream's printDeployment
 * (kubernetes pkg/printers/internalversion/printers.go, v1.32).
 */
import type { KubeObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, NAME_COLUMN, column } from "./columns";
import { at, num, str } from "./fields";
import { desiredReplicas, templateWideCells, templateWideColumns } from "./pod-template-cells";
import { translateTimestampSince } from "./timestamp";

// Descriptions are extensions/v1beta1 DeploymentSpec/DeploymentStatus swagger docs, as upstream uses;
// upstream types Up-to-date and Available "string" although their cells are integers.
const DEPLOYMENT_COLUMNS = [
  NAME_COLUMN,
  column("Ready", "string", "Number of the pod with ready state"),
  column("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
  column("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
  AGE_COLUMN,
  ...templateWideColumns("Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
];

/** Server-side printing for Deployments (upstream printDeployment, wide columns included). */
export const deploymentPrinter: Printer = {
  columns: DEPLOYMENT_COLUMNS,
  cells(d: KubeObject, now: Date): TableCell[] {
    return [
      str(d.metadata.name),
      `${num(at(d, "status", "readyReplicas"))}/${desiredReplicas(d)}`,
      num(at(d, "status", "updatedReplicas")),
      num(at(d, "status", "availableReplicas")),
      translateTimestampSince(d.metadata.creationTimestamp, now),
      ...templateWideCells(d),
    ];
  },
};
