/**
 * @module
 * Upstream's reconciliation of default roles and bindings
 * (kubernetes pkg/registry/rbac/reconciliation: computeReconciledRole,
 * computeReconciledRoleBinding), kept pure: given what is stored and what
 * the default policy expects, the object to write, if any. Permissions and
 * subjects are only ever added (upstream's default: no removal), labels and
 * annotations missing from the stored object are added, and an object
 * annotated `rbac.authorization.kubernetes.io/autoupdate: "false"` is left
 * as its administrator made it.
 */
import { jsonEqual } from "../../shared/k8s/json-value";
import { deepCopy, type Json, type KubeObject } from "../../shared/k8s/object";
import type { AggregationRule, PolicyRule, RoleRef, Subject } from "../../shared/schemas";
import { AUTOUPDATE_ANNOTATION } from "./policy-builders";

/** What reconciling one default object decided. */
export type Reconciled =
  | { op: "none" }
  | { op: "update"; object: KubeObject }
  /** The roleRef differs: upstream deletes the binding and creates it again (a roleRef is immutable). */
  | { op: "recreate"; object: KubeObject };

/** Whether an administrator opted this object out of reconciliation. */
export function isProtected(existing: KubeObject): boolean {
  return existing.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === "false";
}

/** `merge(expected, existing)`: the stored values win, missing keys are added. */
function mergeMaps(expected: Record<string, string> | undefined, existing: Record<string, string> | undefined) {
  const merged = { ...expected, ...existing };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

function withMergedMeta(existing: KubeObject, expected: KubeObject): KubeObject {
  const result = deepCopy(existing);
  const labels = mergeMaps(expected.metadata.labels, existing.metadata.labels);
  const annotations = mergeMaps(expected.metadata.annotations, existing.metadata.annotations);
  if (labels) result.metadata.labels = labels;
  if (annotations) result.metadata.annotations = annotations;
  return result;
}

const list = (xs: readonly string[] | undefined): readonly string[] => xs ?? [];
const has = (xs: readonly string[] | undefined, x: string): boolean => list(xs).includes(x);

/** `BreakdownRule`: one rule per group × resource × verb (× name), and per URL × verb. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const atoms: PolicyRule[] = [];
  for (const group of list(rule.apiGroups)) {
    for (const resource of list(rule.resources)) {
      for (const verb of list(rule.verbs)) {
        const names = list(rule.resourceNames);
        if (names.length === 0) atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        for (const name of names) atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
      }
    }
  }
  for (const url of list(rule.nonResourceURLs)) {
    for (const verb of list(rule.verbs)) atoms.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return atoms;
}

/** `resourceCoversAll`: `*`, the resource itself, or a `*` + `/<subresource>` wildcard for a subresource. */
function resourcesCover(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  if (has(owner, "*")) return true;
  return list(wanted).every((r) => {
    if (has(owner, r)) return true;
    const slash = r.indexOf("/");
    return slash >= 0 && has(owner, `*/${r.slice(slash + 1)}`);
  });
}

/** `nonResourceURLsCoversAll`: the same path, or a prefix ending in `*`. */
function urlsCover(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  return list(wanted).every((url) =>
    list(owner).some((o) => o === url || (o.endsWith("*") && url.startsWith(o.slice(0, -1)))),
  );
}

/** `ruleCovers`: everything `sub` grants, `owner` grants too. */
function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const allOf = (o: readonly string[] | undefined, s: readonly string[] | undefined) =>
    has(o, "*") || list(s).every((x) => has(o, x));
  const names = list(sub.resourceNames).length === 0
    ? list(owner.resourceNames).length === 0
    : list(owner.resourceNames).length === 0 || list(sub.resourceNames).every((n) => has(owner.resourceNames, n));
  return allOf(owner.verbs, sub.verbs) && allOf(owner.apiGroups, sub.apiGroups) &&
    resourcesCover(owner.resources, sub.resources) && urlsCover(owner.nonResourceURLs, sub.nonResourceURLs) && names;
}

/** `Covers(owner, servant)`'s second result: the atoms of `servant` no rule of `owner` covers. */
export function uncoveredRules(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): PolicyRule[] {
  return servant.flatMap(breakdownRule).filter((atom) => !owner.some((o) => ruleCovers(o, atom)));
}

const rulesOf = (obj: KubeObject): PolicyRule[] => (Array.isArray(obj.rules) ? (obj.rules as PolicyRule[]) : []);
const aggregationOf = (obj: KubeObject): AggregationRule | undefined =>
  typeof obj.aggregationRule === "object" && obj.aggregationRule !== null ? (obj.aggregationRule as AggregationRule) : undefined;

/**
 * `computeReconciledRole` without removal: labels and annotations merged, the
 * expected aggregation selectors added, and the expected permissions the
 * stored rules do not cover appended (as atomic rules, as upstream does).
 * An aggregated role's rules belong to the aggregation controller.
 */
export function reconcileRole(existing: KubeObject, expected: KubeObject): Reconciled {
  if (isProtected(existing)) return { op: "none" };
  const result = withMergedMeta(existing, expected);
  const expectedAggregation = aggregationOf(expected);
  if (expectedAggregation) {
    const selectors = [...(aggregationOf(existing)?.clusterRoleSelectors ?? [])];
    for (const s of expectedAggregation.clusterRoleSelectors ?? []) {
      if (!selectors.some((have) => jsonEqual(have as Json, s as Json))) selectors.push(s);
    }
    result.aggregationRule = { ...aggregationOf(existing), clusterRoleSelectors: selectors };
  }
  const missing = uncoveredRules(rulesOf(existing), rulesOf(expected));
  if (missing.length > 0) result.rules = [...rulesOf(existing), ...missing];
  return jsonEqual(result as unknown as Json, existing as unknown as Json) ? { op: "none" } : { op: "update", object: result };
}

const subjectsOf = (obj: KubeObject): Subject[] => (Array.isArray(obj.subjects) ? (obj.subjects as Subject[]) : []);

/**
 * `computeReconciledRoleBinding` without removal: labels and annotations
 * merged, missing subjects appended; a different roleRef means recreate.
 */
export function reconcileBinding(existing: KubeObject, expected: KubeObject): Reconciled {
  if (isProtected(existing)) return { op: "none" };
  const result = withMergedMeta(existing, expected);
  const subjects = subjectsOf(existing);
  const missing = subjectsOf(expected).filter((s) => !subjects.some((have) => jsonEqual(have as Json, s as Json)));
  if (missing.length > 0) result.subjects = [...subjects, ...missing];
  if (!jsonEqual(existing.roleRef as RoleRef as Json, expected.roleRef as RoleRef as Json)) {
    const fresh = deepCopy(result);
    fresh.roleRef = expected.roleRef;
    return { op: "recreate", object: fresh };
  }
  return jsonEqual(result as unknown as Json, existing as unknown as Json) ? { op: "none" } : { op: "update", object: result };
}
