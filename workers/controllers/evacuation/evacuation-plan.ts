/**
 * @module
 * KubeVirt's evacuation controller (pkg/virt-controller/watch/drain/evacuation)
 * as a pure decision: on a Node being drained, every running VMI whose
 * eviction strategy asks for it gets a migration (generateName
 * `kubevirt-evacuation-`, annotation `kubevirt.io/evacuationMigration` naming
 * the node) and `status.evacuationNodeName`, at most as many at once as the
 * bounds leave free (outbound per node, parallel per cluster).
 *
 * A node is drained when it is cordoned (`spec.unschedulable`, or the
 * `node.kubernetes.io/unschedulable` taint), carries KubeVirt's
 * `kubevirt.io/drain` NoSchedule taint, or a NoExecute taint the VMI does not
 * tolerate. Upstream reacts to the drain taint and to evictions of the
 * launcher pod; here a VMI has no launcher pod, so `kubectl cordon` and
 * `kubectl drain` (which cordons first) are what start it.
 */
import { isJsonObject, type Json, type KubeObject } from "../../../shared/k8s/object";
import { getCondition, isDeleting, phaseOf, specOf, statusOf, stringField, timeOf } from "../shared/object-fields";
import { isMigrationFinal, vmiNameOf } from "../migration/migration-fields";
import type { MigrationLimits } from "../migration/migration-plan";

/** `EvacuationMigrationAnnotation`: on a migration the evacuation created, the node it evacuates. */
export const EVACUATION_ANNOTATION = "kubevirt.io/evacuationMigration";
/** KubeVirt's `migrations.nodeDrainTaintKey` default. */
export const DRAIN_TAINT_KEY = "kubevirt.io/drain";
/** The eviction strategy of a VMI that names none (the KubeVirt CR's `spec.configuration.evictionStrategy` here). */
export const DEFAULT_EVICTION_STRATEGY = "LiveMigrate";
/** A VMI whose evacuation migration failed waits this long before the next one. */
export const RETRY_AFTER_FAILURE_MS = 20_000;

/** One VMI to evacuate. */
export interface Evacuation {
  vmi: KubeObject;
  node: string;
}

/** What a pass decides. */
export interface EvacuationPlan {
  /** Create a migration for each (and mark the VMI). */
  create: Evacuation[];
  /** VMIs whose `status.evacuationNodeName` no longer applies (migrated away, or the node was uncordoned). */
  clear: KubeObject[];
  /** Something still waits (a slot, a retry): run again later. */
  waiting: boolean;
}

interface Taint {
  key: string;
  value: string;
  effect: string;
}

function taintsOf(node: KubeObject): Taint[] {
  const raw = specOf(node).taints;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isJsonObject).map((t) => ({ key: String(t.key ?? ""), value: String(t.value ?? ""), effect: String(t.effect ?? "") }));
}

function tolerates(tolerations: Json[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (!isJsonObject(t)) return false;
    if (typeof t.effect === "string" && t.effect !== "" && t.effect !== taint.effect) return false;
    if (typeof t.key === "string" && t.key !== "" && t.key !== taint.key) return false;
    return t.operator === "Exists" || ((t.operator ?? "Equal") === "Equal" && (t.value ?? "") === taint.value);
  });
}

/** Whether `node` is being drained of `vmi` (see the module comment). */
export function drains(node: KubeObject, vmi: KubeObject): boolean {
  if (specOf(node).unschedulable === true) return true;
  const tolerations = Array.isArray(specOf(vmi).tolerations) ? (specOf(vmi).tolerations as Json[]) : [];
  return taintsOf(node).some((t) =>
    (t.effect === "NoSchedule" && (t.key === "node.kubernetes.io/unschedulable" || t.key === DRAIN_TAINT_KEY)) ||
    (t.effect === "NoExecute" && !tolerates(tolerations, t)));
}

/** Whether the host reported the VMI not live-migratable (KubeVirt's `LiveMigratable` condition False). */
export function isMigratable(vmi: KubeObject): boolean {
  return getCondition(vmi, "LiveMigratable")?.status !== "False";
}

/** LiveMigrate always; LiveMigrateIfPossible when migratable; None and External never (the drain or an operator handles them). */
export function wantsMigration(vmi: KubeObject): boolean {
  const strategy = stringField(specOf(vmi), "evictionStrategy") || DEFAULT_EVICTION_STRATEGY;
  if (strategy === "LiveMigrate") return true;
  return strategy === "LiveMigrateIfPossible" && isMigratable(vmi);
}

const vmiKey = (ns: string | undefined, name: string): string => `${ns ?? ""}/${name}`;

/** Decides one pass. */
export function planEvacuation(input: {
  nodes: readonly KubeObject[];
  vmis: readonly KubeObject[];
  migrations: readonly KubeObject[];
  limits: MigrationLimits;
  now: number;
}): EvacuationPlan {
  const nodes = new Map(input.nodes.map((n) => [n.metadata.name ?? "", n]));
  const vmiNode = new Map(input.vmis.map((v) => [vmiKey(v.metadata.namespace, v.metadata.name ?? ""), stringField(statusOf(v), "nodeName")]));
  const inFlight = new Set<string>();
  const recentFailure = new Set<string>();
  const perNode = new Map<string, number>();
  let cluster = 0;
  for (const m of input.migrations) {
    const vk = vmiKey(m.metadata.namespace, vmiNameOf(m));
    if (isMigrationFinal(m)) {
      if (phaseOf(m) === "Failed" && input.now - (timeOf(m.metadata.creationTimestamp) ?? 0) < RETRY_AFTER_FAILURE_MS) recentFailure.add(vk);
      continue;
    }
    inFlight.add(vk);
    cluster++;
    const source = vmiNode.get(vk) ?? "";
    perNode.set(source, (perNode.get(source) ?? 0) + 1);
  }
  const plan: EvacuationPlan = { create: [], clear: [], waiting: false };
  const sorted = [...input.vmis].sort((a, b) => (timeOf(a.metadata.creationTimestamp) ?? 0) - (timeOf(b.metadata.creationTimestamp) ?? 0));
  for (const vmi of sorted) {
    const status = statusOf(vmi);
    const nodeName = stringField(status, "nodeName");
    const node = nodes.get(nodeName);
    const marked = stringField(status, "evacuationNodeName");
    const draining = node !== undefined && drains(node, vmi) && getCondition(node, "Ready")?.status === "True";
    if (marked !== "" && (marked !== nodeName || !draining)) plan.clear.push(vmi);
    if (!draining || phaseOf(vmi) !== "Running" || isDeleting(vmi) || !wantsMigration(vmi)) continue;
    const vk = vmiKey(vmi.metadata.namespace, vmi.metadata.name ?? "");
    if (inFlight.has(vk)) continue;
    if (recentFailure.has(vk) || cluster >= input.limits.perCluster || (perNode.get(nodeName) ?? 0) >= input.limits.perNode) {
      plan.waiting = true;
      continue;
    }
    cluster++;
    perNode.set(nodeName, (perNode.get(nodeName) ?? 0) + 1);
    plan.create.push({ vmi, node: nodeName });
  }
  return plan;
}
