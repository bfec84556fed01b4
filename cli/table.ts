/**
 * @module
 * kubectl-style plain tables: upper-case headers, columns padded to the
 * widest cell and three spaces apart.
 */

/** Renders rows under headers; every row has one cell per header. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("   ").trimEnd();
  return [line(headers), ...rows.map(line)].map((l) => `${l}\n`).join("");
}
