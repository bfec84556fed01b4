/**
 * @module
 * Keeps a ClusterResourceQuota's sets current: which namespaces its selector
 * matches now (labels as a LabelSelector, annotations as a subset, both
 * required — OpenShift's ClusterResourceQuotaSelector), the quota in its own
 * set spanning them, and each namespace's set knowing it is spanned (so its
 * creates are charged there too). Run by the write path on every change of
 * the quota and by the ClusterResourceQuota controller on every resync (a
 * namespace whose labels change joins or leaves then).
 */
import { labelSelectorFromObject } from "../../shared/k8s/labels";
import type { KubeObject } from "../../shared/k8s/object";
import type { ClusterResourceQuota } from "../../shared/schemas";
import { listAll } from "../client/list-all";
import { definitionOf } from "./quota-definition";
import { clusterQuotaStub, quotaSetStub } from "./quota-set";

/** Whether the quota's selector picks the namespace. */
export function selectsNamespace(crq: ClusterResourceQuota, ns: KubeObject): boolean {
  const selector = crq.spec?.selector;
  if (!selector || (!selector.labels && !selector.annotations)) return false;
  if (selector.labels && !labelSelectorFromObject(selector.labels).matches(ns.metadata.labels ?? {})) return false;
  const annotations = ns.metadata.annotations ?? {};
  return Object.entries(selector.annotations ?? {}).every(([k, v]) => annotations[k] === v);
}

/** Syncs quota `name` (undefined: deleted) into its set and its namespaces' sets. */
export async function syncClusterQuota(env: Env, name: string, obj: KubeObject | undefined): Promise<void> {
  const cluster = clusterQuotaStub(env, name);
  const before = await cluster.members();
  const crq = obj as unknown as ClusterResourceQuota | undefined;
  const live = crq && !obj?.metadata.deletionTimestamp ? crq : undefined;
  const members = live
    ? (await listAll(env, { resource: "/namespaces" }))
      .filter((ns) => !ns.metadata.deletionTimestamp && selectsNamespace(live, ns))
      .map((ns) => ns.metadata.name ?? "")
      .sort()
    : [];
  // The quota is active in its set before any namespace charges to it.
  const def = live ? definitionOf(name, live.spec?.quota, obj?.metadata.annotations) : null;
  await cluster.syncClusterQuota(name, def, members);
  for (const ns of new Set([...before, ...members])) await quotaSetStub(env, ns).setClusterQuota(name, members.includes(ns));
}
