/**
 * @module
 * The quota engine, pure: what an object costs under each quota of a set,
 * and whether a change of its charge fits (upstream's
 * plugin/pkg/admission/resourcequota CheckRequest). Each quota asks its
 * policy whether it tracks the object and what it costs, keeps the names its
 * `hard` limits, and refuses a charge that would take any of them past the
 * limit, with upstream's text:
 * `exceeded quota: q, requested: requests.memory=2Gi, used: requests.memory=1Gi, limited: requests.memory=2Gi`.
 */
import { addAmounts, maskAmounts, prettyPrintAmounts, subtractAmounts, type Amounts } from "../../shared/k8s/quota-amount";
import type { ChargedObject, QuotaDefinition, QuotaPolicy } from "./policy";

/** One quota as the engine holds it: its definition, its policy and its usage now. */
export interface QuotaState {
  def: QuotaDefinition;
  policy: QuotaPolicy;
  used: Amounts;
}

/** What the object costs under the quota (only the names it limits); empty when it does not track it. */
export function chargeUnder(quota: QuotaState, item: ChargedObject | undefined): Amounts {
  if (!item || !quota.policy.matches(quota.def, item)) return {};
  const usage = maskAmounts(quota.policy.usage(quota.def, item), Object.keys(quota.def.hard));
  for (const [k, v] of Object.entries(usage)) if (v.milli === 0) delete usage[k];
  return usage;
}

/**
 * Checks moving one object's charge under `quota` from `before` to `after`
 * (its usage with the new state). `constrain`: a create, which must meet the
 * policy's constraints (upstream checks no pod updates); any increase must fit the limit.
 * Answers the refusal text, or undefined when it fits.
 */
export function checkCharge(
  quota: QuotaState,
  before: Amounts,
  after: Amounts,
  item: ChargedObject | undefined,
  constrain: boolean,
): string | undefined {
  const name = quota.def.name;
  if (constrain && item && quota.policy.matches(quota.def, item)) {
    const why = quota.policy.constraints(quota.def, item);
    if (why !== undefined) return `failed quota: ${name}: ${why}`;
  }
  const delta = subtractAmounts(after, before);
  const requested: Amounts = {};
  for (const [k, v] of Object.entries(delta)) if (v.milli > 0) requested[k] = after[k] ?? v;
  const increased = Object.keys(requested);
  if (increased.length === 0) return undefined;
  const growth = maskAmounts(delta, increased);
  const newUsage = addAmounts(maskAmounts(quota.used, increased), growth);
  const exceeded = increased.filter((k) => (newUsage[k]?.milli ?? 0) > (quota.def.hard[k]?.milli ?? 0)).sort();
  if (exceeded.length === 0) return undefined;
  const used: Amounts = {};
  for (const k of exceeded) used[k] = quota.used[k] ?? { milli: 0, binary: false };
  return `exceeded quota: ${name}, requested: ${prettyPrintAmounts(maskAmounts(growth, exceeded))}, ` +
    `used: ${prettyPrintAmounts(used)}, limited: ${prettyPrintAmounts(maskAmounts(quota.def.hard, exceeded))}`;
}
