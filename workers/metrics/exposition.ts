/**
 * @module
 * The Prometheus text exposition format, version 0.0.4: per family a HELP
 * and a TYPE line, then its samples; a histogram as cumulative `_bucket`
 * series with `le` (ending at `+Inf`), `_sum` and `_count`.
 */
import type { MetricFamily } from "./definitions";
import type { HistogramRow, SeriesRow } from "./fleet-metrics";
import { withLabel } from "./labels";

/** The content type a scrape answers with. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A sample value as the format writes it (Go's float syntax: NaN, +Inf, -Inf). */
function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

function sample(name: string, labels: string, value: number): string {
  return `${name}${labels === "" ? "" : `{${labels}}`} ${formatValue(value)}`;
}

/** HELP text escaped as the format requires (backslash and line feed). */
function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** One family's lines: samples of a counter or gauge from `series`, of a histogram from `histograms`. */
export function renderFamily(family: MetricFamily, series: readonly SeriesRow[], histograms: readonly HistogramRow[]): string[] {
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`];
  if (family.type !== "histogram") {
    for (const s of series) lines.push(sample(family.name, s.labels, s.value));
    return lines;
  }
  const bounds = family.buckets ?? [];
  for (const h of histograms) {
    let cumulative = 0;
    bounds.forEach((le, i) => {
      cumulative += h.counts[i] ?? 0;
      lines.push(sample(`${family.name}_bucket`, withLabel(h.labels, "le", formatValue(le)), cumulative));
    });
    cumulative += h.counts[bounds.length] ?? 0;
    lines.push(sample(`${family.name}_bucket`, withLabel(h.labels, "le", "+Inf"), cumulative));
    lines.push(sample(`${family.name}_sum`, h.labels, h.sum));
    lines.push(sample(`${family.name}_count`, h.labels, cumulative));
  }
  return lines;
}
