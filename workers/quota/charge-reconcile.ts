/**
 * @module
 * A recompute's last step, synchronous: set one quota's charges to what a
 * list of the stores says. A charge changed since the list began is left
 * alone (a write in flight knows better than the list), as is an object
 * released since then; a reservation the list does not show is dropped once
 * it is older than the grace a write in flight gets — what a crash between
 * reserve and write leaves behind.
 */
import type { ChargeLedger } from "./charge-ledger";
import { chargeKey } from "./charge-key";
import type { ChargedObject } from "./policy";
import { chargeUnder, type QuotaState } from "./quota-check";

/** A reservation with no object this much older than a recompute's snapshot is a crash's leftover. */
export const ORPHAN_GRACE_MS = 30_000;

/** When the list began, and the objects released (key → when) that it may still show. */
export interface RecomputeClock {
  snapshot: number;
  released: ReadonlyMap<string, number>;
}

/** Sets `quota`'s charges in `ledger` from `listed` (objects by registry key). */
export function reconcileCharges(ledger: ChargeLedger, quota: QuotaState, listed: ReadonlyMap<string, ChargedObject[]>, clock: RecomputeClock): void {
  const { snapshot, released } = clock;
  const name = quota.def.name;
  const seen = new Set<string>();
  for (const r of quota.policy.chargedResources(quota.def)) {
    for (const item of listed.get(r) ?? []) {
      const key = chargeKey(r, item.object.metadata.namespace ?? "", item.object.metadata.name ?? "");
      seen.add(key);
      const row = ledger.get(name, key);
      if ((row && row.at >= snapshot) || (released.get(key) ?? 0) >= snapshot) continue;
      ledger.set(name, key, item.object.metadata.uid ?? "", chargeUnder(quota, item), snapshot);
    }
  }
  for (const row of ledger.all(name)) {
    if (!seen.has(row.key) && row.at < snapshot - ORPHAN_GRACE_MS) ledger.set(name, row.key, row.uid, {}, snapshot);
  }
}
