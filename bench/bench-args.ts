/** Command-line checks the benches share. */

/** A comma-separated list of integers, each within [min, max]; throws naming the flag otherwise. */
export function intList(flag: string, raw: string, min: number, max: number): number[] {
  const out = raw.split(",").map((s) => Number(s.trim()));
  for (const n of out) {
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${flag}: each value must be an integer in ${min}..${max}, got ${raw}`);
  }
  return out;
}
