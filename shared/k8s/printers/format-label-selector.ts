/**
 * @module
 * `metav1.FormatLabelSelector`: a metav1.LabelSelector as the selector string
 * printers show (the ReplicaSet wide Selector column).
 */
import { isJsonObject } from "../object";
import { compareBytes, newRequirement, requirementString, type LabelRequirement } from "../label-requirement";
import { list, str } from "./fields";

// metav1.LabelSelectorOperator → selection.Operator, as LabelSelectorAsSelector maps them.
const OPERATORS: Record<string, string> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };

/**
 * `metav1.LabelSelectorAsSelector` followed by `String()`; undefined when the
 * selector is invalid. A missing selector selects nothing and an empty one
 * everything; both print as the empty string.
 */
function selectorString(selector: unknown): string | undefined {
  if (!isJsonObject(selector)) return "";
  const requirements: LabelRequirement[] = [];
  const matchLabels = isJsonObject(selector.matchLabels) ? selector.matchLabels : {};
  for (const [key, value] of Object.entries(matchLabels)) {
    const { requirement, causes } = newRequirement(key, "=", [str(value)]);
    if (causes.length > 0) return undefined;
    requirements.push(requirement);
  }
  for (const expr of list(selector.matchExpressions)) {
    const operator = OPERATORS[str(isJsonObject(expr) ? expr.operator : undefined)];
    if (operator === undefined || !isJsonObject(expr)) return undefined;
    const values = list(expr.values).map(str);
    const { requirement, causes } = newRequirement(str(expr.key), operator, values);
    if (causes.length > 0) return undefined;
    requirements.push(requirement);
  }
  // internalSelector.Add sorts requirements by key.
  requirements.sort((a, b) => compareBytes(a.key, b.key));
  return requirements.map(requirementString).join(",");
}

/**
 * Upstream's FormatLabelSelector: `app=web,tier in (a,b)`, `<none>` for a
 * missing or empty selector, `<error>` for an invalid one.
 */
export function formatLabelSelector(selector: unknown): string {
  const s = selectorString(selector);
  if (s === undefined) return "<error>";
  return s === "" ? "<none>" : s;
}
