/**
 * @module
 * Label selectors with upstream semantics: the `labels.Selector` of apimachinery
 * `pkg/labels/selector.go`, the `metav1.LabelSelector` conversion of
 * `pkg/apis/meta/v1/helpers.go` and its validation from `pkg/apis/meta/v1/validation`.
 */
import { badRequest, type StatusCause } from "./errors";
import { aggregateErrorString, forbidden, invalidValue, required } from "./field-errors";
import {
  compareBytes,
  newRequirement,
  requirementMatches,
  requirementString,
  type LabelOperator,
  type LabelRequirement,
} from "./label-requirement";
import { parseRequirements } from "./label-selector-parser";
import { isQualifiedName, isValidLabelValue, validateLabels } from "./validation";

export { newRequirement, type LabelOperator, type LabelRequirement } from "./label-requirement";

/** `labels.Selector`: an AND of requirements over an object's labels. */
export interface Selector {
  /** True when every requirement holds; missing labels count as an empty map. */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** True when the selector restricts nothing (matches everything). */
  empty(): boolean;
  /** Canonical form: requirements sorted by key, set values sorted; `""` for everything and nothing. */
  toString(): string;
  /** The requirements, sorted by key; empty for both everything and nothing. */
  requirements(): readonly LabelRequirement[];
  /** `RequiresExactMatch`: the single value `label` must have (`=`, `==`, or `in` with one value). */
  requiresExactMatch(label: string): string | undefined;
}

/** `metav1.LabelSelectorRequirement`. */
export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** `metav1.LabelSelector` as it appears in specs (`spec.selector`). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

class InternalSelector implements Selector {
  private readonly reqs: readonly LabelRequirement[];

  constructor(reqs: readonly LabelRequirement[]) {
    // Stable sort by key, as upstream sorts to make the string form deterministic.
    this.reqs = [...reqs].sort((a, b) => compareBytes(a.key, b.key));
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    return this.reqs.every((r) => requirementMatches(r, labels));
  }

  empty(): boolean {
    return this.reqs.length === 0;
  }

  toString(): string {
    return this.reqs.map(requirementString).join(",");
  }

  requirements(): readonly LabelRequirement[] {
    return this.reqs;
  }

  requiresExactMatch(label: string): string | undefined {
    const r = this.reqs.find((req) => req.key === label);
    if (!r) return undefined;
    const exact = r.operator === "=" || r.operator === "==" || r.operator === "in";
    return exact && r.values.length === 1 ? r.values[0] : undefined;
  }
}

const NOTHING: Selector = {
  matches: () => false,
  empty: () => false,
  toString: () => "",
  requirements: () => [],
  requiresExactMatch: () => undefined,
};

/** `labels.Everything()`: matches every object. */
export function everything(): Selector {
  return new InternalSelector([]);
}

/** `labels.Nothing()`: matches no object (what a nil `metav1.LabelSelector` converts to). */
export function nothing(): Selector {
  return NOTHING;
}

/**
 * `labels.Parse`: the `?labelSelector=` syntax (`a=b`, `a==b`, `a!=b`,
 * `a in (x,y)`, `a notin (x,y)`, `a`, `!a`, `a>1`, `a<1`, comma-separated).
 * The empty string matches everything.
 * @throws ApiError 400 with upstream's message, e.g. `unable to parse requirement: …`.
 * @example parseLabelSelector("app=web,tier in (a,b)").matches({ app: "web", tier: "a" }) // true
 */
export function parseLabelSelector(s: string): Selector {
  return new InternalSelector(parseRequirements(s));
}

/** `labels.SelectorFromSet`: `k=v` for every entry; an empty or missing set matches everything. */
export function selectorFromSet(set: Readonly<Record<string, string>> | undefined): Selector {
  return new InternalSelector(Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: "=", values: [v] })));
}

const EXPRESSION_OPERATORS = new Map<string, LabelOperator>([
  ["In", "in"],
  ["NotIn", "notin"],
  ["Exists", "exists"],
  ["DoesNotExist", "!"],
]);

/**
 * `metav1.LabelSelectorAsSelector`: a missing selector matches nothing, `{}`
 * matches everything; matchLabels become `=`, matchExpressions map
 * In/NotIn/Exists/DoesNotExist.
 * @throws ApiError 400 with upstream's conversion error if the selector is invalid.
 */
export function labelSelectorFromObject(sel: LabelSelector | null | undefined): Selector {
  if (sel === undefined || sel === null) return NOTHING;
  const labels = Object.entries(sel.matchLabels ?? {});
  const exprs = sel.matchExpressions ?? [];
  if (labels.length + exprs.length === 0) return everything();
  const reqs: LabelRequirement[] = [];
  const add = ({ requirement, causes }: ReturnType<typeof newRequirement>): void => {
    if (causes.length > 0) throw badRequest(aggregateErrorString(causes));
    reqs.push(requirement);
  };
  for (const [key, value] of labels) add(newRequirement(key, "=", [value]));
  for (const expr of exprs) {
    const op = EXPRESSION_OPERATORS.get(expr.operator);
    if (!op) throw badRequest(`"${expr.operator}" is not a valid label selector operator`);
    add(newRequirement(expr.key, op, expr.values ?? []));
  }
  return new InternalSelector(reqs);
}

/**
 * The string form of a `metav1.LabelSelector`, as the scale subresource's
 * `status.labelSelector` carries it: `LabelSelectorAsSelector(sel).String()`,
 * e.g. `app=web,tier in (a,b)`.
 */
export function formatLabelSelector(sel: LabelSelector | null | undefined): string {
  return labelSelectorFromObject(sel).toString();
}

/**
 * `v1validation.ValidateLabelSelector`: matchLabels as labels; each expression
 * needs a known operator, values for In/NotIn and none for Exists/DoesNotExist,
 * a qualified-name key and valid label values.
 * @param fieldPath path of the selector, e.g. `spec.selector`.
 */
export function validateLabelSelectorObject(sel: LabelSelector | null | undefined, fieldPath: string): StatusCause[] {
  if (sel === undefined || sel === null) return [];
  const causes = validateLabels(sel.matchLabels, `${fieldPath}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    const path = `${fieldPath}.matchExpressions[${i}]`;
    const values = expr.values ?? [];
    switch (expr.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0) {
          causes.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0) {
          causes.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        break;
      default:
        causes.push(invalidValue(`${path}.operator`, expr.operator, "not a valid selector operator"));
    }
    for (const msg of isQualifiedName(expr.key)) causes.push(invalidValue(`${path}.key`, expr.key, msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) causes.push(invalidValue(`${path}.values[${j}]`, v, msg));
    });
  });
  return causes;
}
