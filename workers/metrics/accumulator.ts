/**
 * @module
 * This isolate's metrics since its last flush: counter increments,
 * histogram observations and its current gauge values, kept in memory so
 * that recording one is a few map operations and never I/O. flush.ts takes
 * them as a delta and hands them to the fleet store, which sums them.
 */
import type { MetricFamily } from "./definitions";
import { labelKey, type Labels } from "./labels";

/** One histogram series: per-bucket counts (not cumulative; the last is +Inf) and the sum. */
export interface HistogramDelta {
  counts: number[];
  sum: number;
}

/** What one flush carries: what changed here since the last one. */
export interface MetricsDelta {
  /** This isolate (its gauges are kept per isolate and summed over the live ones). */
  isolate: string;
  /** [family, labels, increment] */
  counters: [string, string, number][];
  /** [family, labels, counts, sum] */
  histograms: [string, string, number[], number][];
  /** [family, labels, value]: this isolate's current value of each gauge it keeps. */
  gauges: [string, string, number][];
}

/** Identifies this isolate's gauges in the fleet store (made on first use: the global scope may not generate random values). */
let isolate: string | undefined;

let counters = new Map<string, Map<string, number>>();
let histograms = new Map<string, Map<string, HistogramDelta>>();
const gauges = new Map<string, Map<string, number>>();
let gaugesChanged = false;

function series<T>(families: Map<string, Map<string, T>>, name: string): Map<string, T> {
  let found = families.get(name);
  if (!found) {
    found = new Map();
    families.set(name, found);
  }
  return found;
}

/** Adds `by` to a counter series. */
export function addCounter(family: MetricFamily, labels: Labels, by = 1): void {
  const s = series(counters, family.name);
  const key = labelKey(labels);
  s.set(key, (s.get(key) ?? 0) + by);
}

/** Records one observation of a histogram series. */
export function observe(family: MetricFamily, labels: Labels, value: number): void {
  const bounds = family.buckets ?? [];
  const s = series(histograms, family.name);
  const key = labelKey(labels);
  let h = s.get(key);
  if (!h) {
    h = { counts: new Array<number>(bounds.length + 1).fill(0), sum: 0 };
    s.set(key, h);
  }
  let i = bounds.findIndex((le) => value <= le);
  if (i < 0) i = bounds.length;
  h.counts[i] = (h.counts[i] ?? 0) + 1;
  h.sum += value;
}

/** Moves this isolate's value of a gauge series by `by`. */
export function addGauge(family: MetricFamily, labels: Labels, by: number): void {
  const s = series(gauges, family.name);
  const key = labelKey(labels);
  s.set(key, (s.get(key) ?? 0) + by);
  gaugesChanged = true;
}

/** Takes what was recorded since the last take (undefined when nothing was). */
export function takeDelta(): MetricsDelta | undefined {
  if (counters.size === 0 && histograms.size === 0 && !gaugesChanged) return undefined;
  isolate ??= crypto.randomUUID();
  const delta: MetricsDelta = { isolate, counters: [], histograms: [], gauges: [] };
  for (const [name, s] of counters) for (const [labels, v] of s) delta.counters.push([name, labels, v]);
  for (const [name, s] of histograms) for (const [labels, h] of s) delta.histograms.push([name, labels, h.counts, h.sum]);
  for (const [name, s] of gauges) for (const [labels, v] of s) delta.gauges.push([name, labels, v]);
  counters = new Map();
  histograms = new Map();
  gaugesChanged = false;
  return delta;
}

/** Puts back a delta that could not be flushed, so the next flush carries it. */
export function restoreDelta(delta: MetricsDelta): void {
  for (const [name, labels, v] of delta.counters) {
    const s = series(counters, name);
    s.set(labels, (s.get(labels) ?? 0) + v);
  }
  for (const [name, labels, counts, sum] of delta.histograms) {
    const s = series(histograms, name);
    const h = s.get(labels);
    if (!h) s.set(labels, { counts: [...counts], sum });
    else {
      counts.forEach((n, i) => (h.counts[i] = (h.counts[i] ?? 0) + n));
      h.sum += sum;
    }
  }
  // Gauges are current values, kept here: only their changed mark needs restoring.
  gaugesChanged = true;
}
