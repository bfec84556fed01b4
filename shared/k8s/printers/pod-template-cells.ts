/**
 * @module
 * What upstream's printers of pod-template owners (printReplicaSet,
 * printDeployment) share: the defaulted desired count, and the wide
 * Containers, Images and Selector columns with upstream's layoutContainerCells.
 */
import type { KubeObject } from "../object";
import type { TableCell, TableColumnDefinition } from "../resource-kind";
import { CONTAINERS_DESCRIPTION, IMAGES_DESCRIPTION, wideColumn } from "./columns";
import { at, list, num, str } from "./fields";
import { formatLabelSelector } from "./format-label-selector";

/** spec.replicas as the internal type holds it: unset is 1. */
export function desiredReplicas(owner: KubeObject): number {
  return at(owner, "spec", "replicas") === undefined ? 1 : num(at(owner, "spec", "replicas"));
}

/** The wide columns; the Selector's description is the owner kind's swagger doc. */
export function templateWideColumns(selectorDescription: string): TableColumnDefinition[] {
  return [
    wideColumn("Containers", "string", CONTAINERS_DESCRIPTION),
    wideColumn("Images", "string", IMAGES_DESCRIPTION),
    wideColumn("Selector", "string", selectorDescription),
  ];
}

/** The wide cells: container names and images, each joined by "," (layoutContainerCells), and the selector. */
export function templateWideCells(owner: KubeObject): TableCell[] {
  const containers = list(at(owner, "spec", "template", "spec", "containers"));
  return [
    containers.map((c) => str(at(c, "name"))).join(","),
    containers.map((c) => str(at(c, "image"))).join(","),
    formatLabelSelector(at(owner, "spec", "selector")),
  ];
}
