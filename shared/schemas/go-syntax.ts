/**
 * @module
 * Go `%#v` renderings of the few values upstream prints in 1.32 error
 * messages that are not plain strings or numbers (label maps, selectors).
 */
import { goQuote } from "../k8s/validation";
import type { LabelSelectorRequirement } from "../k8s/labels";

/** `%#v` of a `map[string]string`: keys sorted, `map[string]string(nil)` when absent. */
export function goStringMap(m: Readonly<Record<string, string>> | undefined): string {
  if (!m) return "map[string]string(nil)";
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(m[k] ?? "")}`);
  return `map[string]string{${entries.join(", ")}}`;
}

function goStringSlice(values: readonly string[] | undefined): string {
  return values ? `[]string{${values.map(goQuote).join(", ")}}` : "[]string(nil)";
}

/** `%#v` of a `metav1.LabelSelector` value. */
export function goLabelSelector(sel: {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}): string {
  const requirement = (e: LabelSelectorRequirement): string =>
    `v1.LabelSelectorRequirement{Key:${goQuote(e.key)}, Operator:${goQuote(e.operator)}, Values:${goStringSlice(e.values)}}`;
  const exprs = sel.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map(requirement).join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}
