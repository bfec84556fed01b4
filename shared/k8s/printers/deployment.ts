/**
 * @module
 * `kubectl get deploy` columns: upstream's printDeployment
 * (kubernetes pkg/printers/internalversion/printers.go, v1.32).
 */
import type { KubeObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, CONTAINERS_DESCRIPTION, IMAGES_DESCRIPTION, NAME_COLUMN, column, wideColumn } from "./columns";
import { at, num, str } from "./fields";
import { formatLabelSelector } from "./format-label-selector";
import { layoutContainerCells } from "./replicaset";
import { translateTimestampSince } from "./timestamp";

// Descriptions are extensions/v1beta1 DeploymentSpec/DeploymentStatus swagger docs, as upstream uses;
// upstream types Up-to-date and Available "string" although their cells are integers.
const DEPLOYMENT_COLUMNS = [
  NAME_COLUMN,
  column("Ready", "string", "Number of the pod with ready state"),
  column("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
  column("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
  AGE_COLUMN,
  wideColumn("Containers", "string", CONTAINERS_DESCRIPTION),
  wideColumn("Images", "string", IMAGES_DESCRIPTION),
  wideColumn(
    "Selector",
    "string",
    "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
  ),
];

/** Server-side printing for Deployments (upstream printDeployment, wide columns included). */
export const deploymentPrinter: Printer = {
  columns: DEPLOYMENT_COLUMNS,
  cells(d: KubeObject, now: Date): TableCell[] {
    // The internal type holds the defaulted value: an unset spec.replicas is 1.
    const desired = at(d, "spec", "replicas") === undefined ? 1 : num(at(d, "spec", "replicas"));
    const { names, images } = layoutContainerCells(at(d, "spec", "template", "spec", "containers"));
    return [
      str(d.metadata.name),
      `${num(at(d, "status", "readyReplicas"))}/${desired}`,
      num(at(d, "status", "updatedReplicas")),
      num(at(d, "status", "availableReplicas")),
      translateTimestampSince(d.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(at(d, "spec", "selector")),
    ];
  },
};
