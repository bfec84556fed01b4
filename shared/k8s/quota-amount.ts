/**
 * @module
 * Quota arithmetic: quantities as exact integer milli-units plus the format
 * upstream keeps beside them (BinarySI for `Gi`-style input, DecimalSI
 * otherwise), summed and printed the way apimachinery's `Quantity.Add` and
 * `Quantity.String` (CanonicalizeBytes) do, so quota messages read `2Gi`,
 * `500m`, `1536Mi` as kube-apiserver writes them.
 */
import { parseQuantity } from "./quantity";

/** One quantity: milli-units (a whole number) and whether it prints with binary suffixes. */
export interface Amount {
  milli: number;
  binary: boolean;
}

/** A ResourceList as amounts: resource name → amount. */
export type Amounts = Record<string, Amount>;

/** Parses a quantity (rounded up to a milli-unit, as `MilliValue`); throws QuantityError when malformed. */
export function amountOf(q: string | number): Amount {
  const value = parseQuantity(q);
  return { milli: Math.ceil(value * 1000 - 1e-6), binary: typeof q === "string" && /[KMGTPE]i$/.test(q) };
}

/** An amount of `n` whole units, decimal. */
export function units(n: number): Amount {
  return { milli: n * 1000, binary: false };
}

/** `a + b`; a zero left side takes the right side's format (upstream's Add onto an empty list copies it). */
export function addAmount(a: Amount | undefined, b: Amount): Amount {
  if (!a || a.milli === 0) return { milli: (a?.milli ?? 0) + b.milli, binary: b.binary };
  return { milli: a.milli + b.milli, binary: a.binary };
}

/** Sums two lists key by key (`quota.Add`). */
export function addAmounts(a: Amounts, b: Amounts): Amounts {
  const out: Amounts = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = addAmount(out[k], v);
  return out;
}

/** `a - b` key by key, keeping a's keys (`quota.Subtract`). */
export function subtractAmounts(a: Amounts, b: Amounts): Amounts {
  const out: Amounts = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = { milli: (out[k]?.milli ?? 0) - v.milli, binary: out[k]?.binary ?? v.binary };
  return out;
}

/** The list limited to `names` (`quota.Mask`). */
export function maskAmounts(a: Amounts, names: Iterable<string>): Amounts {
  const out: Amounts = {};
  for (const n of names) {
    const v = a[n];
    if (v) out[n] = v;
  }
  return out;
}

/** Parses a ResourceList; entries that do not parse are left out (stored objects passed validation). */
export function amountsOf(list: Record<string, unknown> | undefined): Amounts {
  const out: Amounts = {};
  for (const [k, v] of Object.entries(list ?? {})) {
    if (typeof v !== "string" && typeof v !== "number") continue;
    try {
      out[k] = amountOf(v);
    } catch {
      // left out, as documented
    }
  }
  return out;
}

const BINARY = [["Ei", 60n], ["Pi", 50n], ["Ti", 40n], ["Gi", 30n], ["Mi", 20n], ["Ki", 10n]] as const;
const DECIMAL = [["E", 18], ["P", 15], ["T", 12], ["G", 9], ["M", 6], ["k", 3], ["", 0]] as const;

/** `Quantity.String()` in canonical form: `0`, `500m`, `2`, `2k`, `1Gi`, `1536Mi`. */
export function formatAmount(a: Amount): string {
  // Past any float (e.g. "1e400"): printed as the largest one, never a throw.
  const finite = Number.isFinite(a.milli) ? a.milli : Math.sign(a.milli) * Number.MAX_VALUE;
  const milli = BigInt(Number.isNaN(finite) ? 0 : finite);
  if (milli === 0n) return "0";
  const negative = milli < 0n;
  const abs = negative ? -milli : milli;
  const sign = negative ? "-" : "";
  // Below 1024, or with a fraction, a binary quantity prints as decimal (CanonicalizeBytes).
  if (a.binary && abs % 1000n === 0n && abs / 1000n >= 1024n) {
    const whole = abs / 1000n;
    for (const [suffix, shift] of BINARY) {
      const unit = 1n << shift;
      if (whole % unit === 0n) return `${sign}${whole / unit}${suffix}`;
    }
    return `${sign}${whole}`;
  }
  if (abs % 1000n !== 0n) return `${sign}${abs}m`;
  const whole = abs / 1000n;
  for (const [suffix, exp] of DECIMAL) {
    const unit = 10n ** BigInt(exp);
    if (whole % unit === 0n) return `${sign}${whole / unit}${suffix}`;
  }
  return `${sign}${whole}`;
}

/** A list printed as a ResourceList of canonical strings. */
export function formatAmounts(a: Amounts): Record<string, string> {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, formatAmount(v)]));
}

/**
 * `quota.prettyPrint`: `name=quantity` pairs sorted by name, comma-joined
 * (the text of upstream's "exceeded quota" message).
 */
export function prettyPrintAmounts(a: Amounts): string {
  return Object.keys(a).sort().map((k) => `${k}=${formatAmount(a[k] as Amount)}`).join(",");
}
