/**
 * @module
 * The zod schemas and strategies of the kinds duraplane serves: the single
 * source of their types, validation, defaulting and OpenAPI documents.
 */
export { namespaceStrategy, NamespaceSchema, type Namespace } from "./core-v1/namespace";
export { nodeStrategy, NodeSchema, TaintSchema, type Node, type Taint } from "./core-v1/node";
export { podStrategy, PodSchema, type Pod } from "./core-v1/pod";
export {
  PodSpecSchema,
  PodTemplateSpecSchema,
  type PodSpec,
  type PodTemplateSpec,
  type Volume,
  type Toleration,
} from "./core-v1/pod-spec";
export { PodStatusSchema, ContainerStatusSchema, type PodStatus, type ContainerStatus } from "./core-v1/pod-status";
export { ContainerSchema, type Container } from "./core-v1/container";
export { resourceQuotaStrategy, ResourceQuotaSchema, ResourceQuotaSpecSchema, type ResourceQuota, type ResourceQuotaSpec } from "./core-v1/resourcequota";
export { limitRangeStrategy, LimitRangeSchema, type LimitRange, type LimitRangeItem } from "./core-v1/limitrange";
export {
  clusterResourceQuotaStrategy,
  ClusterResourceQuotaSchema,
  type ClusterResourceQuota,
} from "./quota-v1/clusterresourcequota";
export { eventStrategy, EventSchema, ObjectReferenceSchema, type Event } from "./core-v1/event";
export { serviceAccountStrategy, ServiceAccountSchema, type ServiceAccount } from "./core-v1/serviceaccount";
export { secretStrategy, SecretSchema, type Secret } from "./core-v1/secret";
export { configMapStrategy, ConfigMapSchema, type ConfigMap } from "./core-v1/configmap";
export { replicaSetStrategy, ReplicaSetSchema, type ReplicaSet } from "./apps-v1/replicaset";
export {
  deploymentStrategy,
  DeploymentSchema,
  type Deployment,
  type DeploymentSpec,
  type DeploymentStatus,
  type DeploymentCondition,
} from "./apps-v1/deployment";
export {
  virtualMachineInstanceStrategy,
  VirtualMachineInstanceSchema,
  VMIStatusSchema,
  type VirtualMachineInstance,
} from "./kubevirt-v1/virtualmachineinstance";
export { virtualMachineStrategy, VirtualMachineSchema, RUN_STRATEGIES, type VirtualMachine } from "./kubevirt-v1/virtualmachine";
export {
  virtualMachineInstanceReplicaSetStrategy,
  VirtualMachineInstanceReplicaSetSchema,
  type VirtualMachineInstanceReplicaSet,
} from "./kubevirt-v1/vmirs";
export {
  virtualMachinePoolStrategy,
  VirtualMachinePoolSchema,
  type VirtualMachinePool,
} from "./pool-v1alpha1/virtualmachinepool";
export {
  virtualMachineInstanceMigrationStrategy,
  VirtualMachineInstanceMigrationSchema,
  MigrationStateSchema,
  MIGRATION_PHASES,
  type VirtualMachineInstanceMigration,
  type MigrationState,
  type MigrationPhase,
} from "./kubevirt-v1/migration";
export { VMISpecSchema, VMITemplateSpecSchema, type VMISpec, type VMITemplateSpec } from "./kubevirt-v1/vmi-spec";
export {
  ObjectMetaSchema,
  OwnerReferenceSchema,
  LabelSelectorSchema,
  QuantitySchema,
  conditionSchema,
  type KindStrategy,
} from "./meta";
export { roleStrategy, clusterRoleStrategy, RoleSchema, ClusterRoleSchema, type Role, type ClusterRole } from "./rbac-v1/role";
export {
  roleBindingStrategy,
  clusterRoleBindingStrategy,
  RoleBindingSchema,
  ClusterRoleBindingSchema,
  type RoleBinding,
  type ClusterRoleBinding,
} from "./rbac-v1/binding";
export {
  PolicyRuleSchema,
  SubjectSchema,
  RoleRefSchema,
  AggregationRuleSchema,
  RBAC_GROUP,
  type PolicyRule,
  type Subject,
  type RoleRef,
  type AggregationRule,
} from "./rbac-v1/rbac-types";
export {
  podDisruptionBudgetStrategy,
  PodDisruptionBudgetSchema,
  UNHEALTHY_POD_EVICTION_POLICIES,
  type PodDisruptionBudget,
} from "./policy-v1/poddisruptionbudget";
export { decodeObject, unknownFields, type DecodableKind, type DecodeOptions } from "./decode";
export { buildOpenApiGroupVersion, buildOpenApiRoot, openApiHash, openApiPath } from "./openapi";
