/**
 * @module
 * The charges of one quota set, in its Durable Object's SQLite: per quota
 * and object (its key "group/plural/name" and uid), what the object costs
 * under that quota and when the charge last changed; plus each quota's
 * total, kept in memory beside the rows. Synchronous throughout: whoever
 * holds the ledger checks and writes with no await in between, which is
 * what makes admission atomic.
 */
import { addAmounts, subtractAmounts, type Amounts } from "../../shared/k8s/quota-amount";

/** One charge row. */
export interface Charge {
  quota: string;
  key: string;
  uid: string;
  usage: Amounts;
  at: number;
}

interface ChargeRow {
  quota: string;
  key: string;
  uid: string;
  usage: string;
  at: number;
  [k: string]: SqlStorageValue;
}

/** The ledger's table (a QuotaSet migration). */
export const CHARGES_MIGRATION =
  "CREATE TABLE charges (quota TEXT NOT NULL, key TEXT NOT NULL, uid TEXT NOT NULL, usage TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (quota, key));";

function drop(a: Amounts): Amounts {
  const out: Amounts = {};
  for (const [k, v] of Object.entries(a)) if (v.milli !== 0) out[k] = v;
  return out;
}

/** Charges and totals of one quota set. */
export class ChargeLedger {
  private readonly totals = new Map<string, Amounts>();

  constructor(private readonly sql: SqlStorage) {
    for (const c of this.all()) this.totals.set(c.quota, addAmounts(this.totals.get(c.quota) ?? {}, c.usage));
  }

  /** The total charged under `quota`. */
  used(quota: string): Amounts {
    return drop(this.totals.get(quota) ?? {});
  }

  /** The charge of `key` under `quota`, if any. */
  get(quota: string, key: string): Charge | undefined {
    const row = this.sql.exec<ChargeRow>("SELECT * FROM charges WHERE quota = ? AND key = ?", quota, key).toArray()[0];
    return row ? { ...row, usage: JSON.parse(row.usage) as Amounts } : undefined;
  }

  /** Every charge under `quota` (all quotas when undefined). */
  all(quota?: string): Charge[] {
    const rows = quota === undefined
      ? this.sql.exec<ChargeRow>("SELECT * FROM charges").toArray()
      : this.sql.exec<ChargeRow>("SELECT * FROM charges WHERE quota = ?", quota).toArray();
    return rows.map((r) => ({ ...r, usage: JSON.parse(r.usage) as Amounts }));
  }

  /** Sets the charge of `key` (an empty usage removes it), keeping the total current. */
  set(quota: string, key: string, uid: string, usage: Amounts, at: number): void {
    const before = this.get(quota, key);
    let total = this.totals.get(quota) ?? {};
    if (before) total = subtractAmounts(total, before.usage);
    const kept = drop(usage);
    if (Object.keys(kept).length === 0) {
      this.sql.exec("DELETE FROM charges WHERE quota = ? AND key = ?", quota, key);
    } else {
      this.sql.exec("INSERT OR REPLACE INTO charges (quota, key, uid, usage, at) VALUES (?, ?, ?, ?, ?)",
        quota, key, uid, JSON.stringify(kept), at);
      total = addAmounts(total, kept);
    }
    this.totals.set(quota, total);
  }

  /** Forgets a quota and its charges. */
  forget(quota: string): void {
    this.sql.exec("DELETE FROM charges WHERE quota = ?", quota);
    this.totals.delete(quota);
  }
}
