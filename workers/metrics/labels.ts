/**
 * @module
 * A series' labels as the text between `{` and `}` in the exposition format
 * (`verb="GET",code="200"`): escaped once when recorded, then used as the
 * series' key in memory, in flushed deltas and in the fleet store, and
 * written out unchanged by a scrape.
 */

/** Label names and values, in the order they are rendered. */
export type Labels = readonly (readonly [name: string, value: string])[];

/** A label value escaped as the text format requires (backslash, double quote, line feed). */
function escapeValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** The rendered label set: the series' key. */
export function labelKey(labels: Labels): string {
  return labels.map(([name, value]) => `${name}="${escapeValue(value)}"`).join(",");
}

/** `key` with one more label after it (a histogram's `le`). */
export function withLabel(key: string, name: string, value: string): string {
  const extra = `${name}="${escapeValue(value)}"`;
  return key === "" ? extra : `${key},${extra}`;
}
