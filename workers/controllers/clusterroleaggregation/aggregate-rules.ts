/**
 * @module
 * ClusterRole aggregation, pure (kube-controller-manager's
 * pkg/controller/clusterroleaggregation, syncClusterRole): a ClusterRole with
 * an aggregationRule has as rules the union of the rules of every other
 * ClusterRole its selectors match — selectors in order, matched roles by
 * name, each distinct rule once, in first-seen order. Aggregated roles can
 * feed each other (`view` is labelled into `edit`, `edit` into `admin`), so
 * the union is taken until nothing changes, and one pass writes a consistent
 * result instead of one level per pass.
 */
import { labelSelectorFromObject, type Selector } from "../../../shared/k8s/labels";
import type { KubeObject } from "../../../shared/k8s/object";
import type { AggregationRule, PolicyRule } from "../../../shared/schemas";

/** Rounds of the fixed point; aggregation chains in practice are two deep (view → edit → admin). */
const MAX_ROUNDS = 10;

/** The ClusterRole's rules as stored (none when absent). */
export function rulesOf(role: KubeObject): PolicyRule[] {
  return Array.isArray(role.rules) ? (role.rules as PolicyRule[]) : [];
}

function aggregationOf(role: KubeObject): AggregationRule | undefined {
  const rule = role.aggregationRule;
  return typeof rule === "object" && rule !== null ? (rule as AggregationRule) : undefined;
}

/** A rule's identity: its five lists, with an empty list the same as a missing one (upstream compares semantically). */
function ruleKey(rule: PolicyRule): string {
  const part = (xs: readonly string[] | undefined) => xs ?? [];
  return JSON.stringify([part(rule.verbs), part(rule.apiGroups), part(rule.resources), part(rule.resourceNames), part(rule.nonResourceURLs)]);
}

/** Whether two rule lists are the same, rule by rule. */
export function sameRules(a: readonly PolicyRule[], b: readonly PolicyRule[]): boolean {
  return a.length === b.length && a.every((rule, i) => ruleKey(rule) === ruleKey(b[i] ?? {}));
}

/** The selectors of an aggregationRule; an invalid one (validation keeps them out) selects nothing. */
function selectorsOf(rule: AggregationRule): Selector[] {
  return (rule.clusterRoleSelectors ?? []).flatMap((s) => {
    try {
      return [labelSelectorFromObject(s)];
    } catch {
      return [];
    }
  });
}

/** `syncClusterRole`'s union for one aggregated role, reading rules from `current`. */
function unionFor(name: string, rule: AggregationRule, roles: readonly KubeObject[], current: ReadonlyMap<string, PolicyRule[]>): PolicyRule[] {
  const seen = new Set<string>();
  const union: PolicyRule[] = [];
  for (const selector of selectorsOf(rule)) {
    for (const role of roles) {
      const other = role.metadata.name ?? "";
      if (other === name || !selector.matches(role.metadata.labels)) continue;
      for (const r of current.get(other) ?? []) {
        const key = ruleKey(r);
        if (seen.has(key)) continue;
        seen.add(key);
        union.push(r);
      }
    }
  }
  return union;
}

/**
 * The aggregated ClusterRoles whose rules must change, with their new rules.
 * Roles that need no write are left out.
 */
export function aggregateClusterRoles(roles: readonly KubeObject[]): Map<string, PolicyRule[]> {
  const byName = [...roles].sort((a, b) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1));
  const current = new Map(byName.map((r) => [r.metadata.name ?? "", rulesOf(r)]));
  const aggregated = byName.flatMap((r) => {
    const rule = aggregationOf(r);
    return rule ? [{ name: r.metadata.name ?? "", rule }] : [];
  });
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    for (const { name, rule } of aggregated) {
      const union = unionFor(name, rule, byName, current);
      if (!sameRules(union, current.get(name) ?? [])) {
        current.set(name, union);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const writes = new Map<string, PolicyRule[]>();
  for (const role of byName) {
    const name = role.metadata.name ?? "";
    const next = current.get(name) ?? [];
    if (aggregationOf(role) && !sameRules(next, rulesOf(role))) writes.set(name, next);
  }
  return writes;
}
