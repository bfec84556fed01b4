/**
 * @module
 * Server-side Table printing for `kubectl get`: one Printer per kind, the
 * Table builder and the AGE duration format.
 */
import type { Printer } from "../resource-kind";
import { eventPrinter } from "./event";
import { namespacePrinter } from "./namespace";
import { nodePrinter } from "./node";
import { podPrinter } from "./pod";
import { clusterRoleBindingPrinter, roleBindingPrinter, rolePrinter } from "./rbac";
import { replicaSetPrinter } from "./replicaset";
import { deploymentPrinter } from "./deployment";
import { serviceAccountPrinter } from "./serviceaccount";
import { secretPrinter } from "./secret";
import { configMapPrinter } from "./configmap";
import { resourceQuotaPrinter } from "./resourcequota";
import { limitRangePrinter } from "./limitrange";
import { clusterResourceQuotaPrinter } from "./clusterresourcequota";
import { podDisruptionBudgetPrinter } from "./poddisruptionbudget";
import { virtualMachinePrinter } from "./virtualmachine";
import { virtualMachineInstancePrinter } from "./virtualmachineinstance";
import { virtualMachineInstanceReplicaSetPrinter } from "./vmirs";
import { virtualMachinePoolPrinter } from "./vmpool";
import { virtualMachineInstanceMigrationPrinter } from "./migration";

export { crdPrinter, type CustomResourceColumnDefinition } from "./crd-printer";
export { humanDuration } from "./duration";
export {
  asPartialObjectMetadata,
  toTable,
  type IncludeObjectPolicy,
  type PartialObjectMetadata,
  type Table,
  type TableListMeta,
  type TableOptions,
  type TableRow,
} from "./table";
export {
  deploymentPrinter,
  eventPrinter,
  namespacePrinter,
  nodePrinter,
  podPrinter,
  replicaSetPrinter,
  serviceAccountPrinter,
  secretPrinter,
  configMapPrinter,
  virtualMachineInstancePrinter,
  virtualMachineInstanceReplicaSetPrinter,
  virtualMachinePrinter,
};

/** The printers keyed by kind, for registry entries (`ResourceKind.printer`). */
export const printers = {
  Pod: podPrinter,
  ReplicaSet: replicaSetPrinter,
  Deployment: deploymentPrinter,
  Node: nodePrinter,
  Namespace: namespacePrinter,
  Event: eventPrinter,
  ServiceAccount: serviceAccountPrinter,
  Secret: secretPrinter,
  ConfigMap: configMapPrinter,
  VirtualMachine: virtualMachinePrinter,
  VirtualMachineInstance: virtualMachineInstancePrinter,
  VirtualMachineInstanceReplicaSet: virtualMachineInstanceReplicaSetPrinter,
  VirtualMachinePool: virtualMachinePoolPrinter,
  VirtualMachineInstanceMigration: virtualMachineInstanceMigrationPrinter,
  Role: rolePrinter,
  ClusterRole: rolePrinter,
  RoleBinding: roleBindingPrinter,
  ClusterRoleBinding: clusterRoleBindingPrinter,
  ResourceQuota: resourceQuotaPrinter,
  LimitRange: limitRangePrinter,
  ClusterResourceQuota: clusterResourceQuotaPrinter,
  PodDisruptionBudget: podDisruptionBudgetPrinter,
} as const satisfies Record<string, Printer>;

/** A kind that has a printer here. */
export type PrintedKind = keyof typeof printers;
