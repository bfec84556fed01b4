/**
 * @module
 * Kubernetes resource quantities (`500m`, `2`, `1Gi`, `1e3`, `1.5`) as
 * apimachinery `pkg/api/resource/quantity.go` parses them, turned into a plain
 * number (cores, bytes, …). The arithmetic is exact (BigInt) up to the final
 * conversion; like upstream, non-zero values round up in magnitude to a whole
 * nano-unit and binary-suffixed values are capped at 2^63-1.
 */

const SPLIT_RE = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

/** Upstream's `ErrFormatWrong` text. */
export const ERR_FORMAT_WRONG = `quantities must match the regular expression '${SPLIT_RE}'`;
/** Upstream's `ErrSuffix` text. */
export const ERR_SUFFIX = "unable to parse quantity's suffix";

/** A malformed quantity; the message is upstream's. */
export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QuantityError";
  }
}

interface Scanned {
  negative: boolean;
  num: string;
  denom: string;
  suffix: string;
}

const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const SUFFIX_CHARS = "eEinumkKMGTP";

/**
 * Upstream's `parseQuantityString` scanner: sign, integer digits, fraction,
 * then suffix letters with an optional signed exponent. Like upstream it
 * accepts oddities such as "-", "." and "Ki" (all zero) and "1.G".
 */
function scan(str: string): Scanned {
  let pos = 0;
  const end = str.length;
  let negative = false;
  if (str.charAt(0) === "-" || str.charAt(0) === "+") {
    negative = str.charAt(0) === "-";
    pos++;
  }
  while (pos < end && str.charAt(pos) === "0") pos++;
  if (pos >= end) return { negative, num: "0", denom: "", suffix: "" };

  const numStart = pos;
  while (pos < end && isDigit(str.charAt(pos))) pos++;
  const num = str.slice(numStart, pos) || "0";
  if (pos >= end) return { negative, num, denom: "", suffix: "" };

  let denom = "";
  if (str.charAt(pos) === ".") {
    const denomStart = ++pos;
    while (pos < end && isDigit(str.charAt(pos))) pos++;
    denom = str.slice(denomStart, pos);
    if (pos >= end) return { negative, num, denom, suffix: "" };
  }

  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str.charAt(pos))) pos++;
  if (pos < end && (str.charAt(pos) === "-" || str.charAt(pos) === "+")) pos++;
  while (pos < end && isDigit(str.charAt(pos))) pos++;
  if (pos < end) throw new QuantityError(ERR_FORMAT_WRONG);
  return { negative, num, denom, suffix: str.slice(suffixStart) };
}

const DECIMAL_SUFFIXES = new Map(Object.entries({ n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }));
const BINARY_SUFFIXES = new Map(Object.entries({ Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 }));

/** Upstream's suffixer: SI, binary SI, or `e`/`E` with an int64 exponent (kept as int32, as upstream truncates). */
function interpret(suffix: string): { base: 2 | 10; exponent: number } {
  const dec = DECIMAL_SUFFIXES.get(suffix);
  if (dec !== undefined) return { base: 10, exponent: dec };
  const bin = BINARY_SUFFIXES.get(suffix);
  if (bin !== undefined) return { base: 2, exponent: bin };
  if (suffix.length > 1 && (suffix.charAt(0) === "e" || suffix.charAt(0) === "E")) {
    const exp = suffix.slice(1);
    if (/^[+-]?[0-9]+$/.test(exp)) {
      const n = BigInt(exp);
      if (n >= -(2n ** 63n) && n < 2n ** 63n) return { base: 10, exponent: Number(BigInt.asIntN(32, n)) };
    }
  }
  throw new QuantityError(ERR_SUFFIX);
}

const NANO = 10n ** 9n;
const MAX_INT64 = 2n ** 63n - 1n;

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** The magnitude in nano-units, rounded up; `undefined` when it is beyond any float. */
function magnitudeNanos(digits: bigint, fractionDigits: number, base: 2 | 10, exponent: number): bigint | undefined {
  if (digits === 0n) return 0n;
  if (base === 2) {
    const nanos = ceilDiv(digits * (1n << BigInt(exponent)) * NANO, 10n ** BigInt(fractionDigits));
    // Upstream caps binary-suffixed quantities at the largest int64.
    return nanos > MAX_INT64 * NANO ? MAX_INT64 * NANO : nanos;
  }
  const shift = exponent - fractionDigits + 9;
  if (shift >= 0) return shift > 400 ? undefined : digits * 10n ** BigInt(shift);
  // Anything smaller than the digits can reach still rounds up to one nano-unit.
  if (-shift > digits.toString().length + 1) return 1n;
  return ceilDiv(digits, 10n ** BigInt(-shift));
}

/**
 * Parses a quantity into a number: `"500m"` → 0.5, `"1Gi"` → 1073741824,
 * `"1e3"` → 1000. JSON numbers are accepted as upstream's unquoted form.
 * @throws QuantityError with upstream's message for malformed input.
 */
export function parseQuantity(s: string | number): number {
  if (typeof s === "number" && !Number.isFinite(s)) throw new QuantityError(ERR_FORMAT_WRONG);
  const str = String(s);
  if (str === "") throw new QuantityError(ERR_FORMAT_WRONG);
  const { negative, num, denom, suffix } = scan(str);
  const { base, exponent } = interpret(suffix);
  const nanos = magnitudeNanos(BigInt(num + denom), denom.length, base, exponent);
  const magnitude = nanos === undefined ? Infinity : Number(`${nanos}e-9`);
  return negative && magnitude !== 0 ? -magnitude : magnitude;
}

/** True when {@link parseQuantity} accepts the value. */
export function isValidQuantity(s: unknown): boolean {
  if (typeof s !== "string" && typeof s !== "number") return false;
  try {
    parseQuantity(s);
    return true;
  } catch (e) {
    if (e instanceof QuantityError) return false;
    throw e;
  }
}
