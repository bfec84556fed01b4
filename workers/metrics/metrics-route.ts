/**
 * @module
 * `GET /metrics`: the fleet's metrics in the Prometheus text format,
 * authorized as upstream (the nonResourceURL `/metrics`, `get`: the
 * `system:monitoring` group, or cluster-admin). The scrape first flushes its
 * own isolate, then reads the fleet store's sums, the gauges that live in
 * the collection and Node stores, and the dead-letter rows, and derives
 * each controller's queue depth from its adds and completions.
 */
import { Hono } from "hono";
import { deadLetterMetrics } from "../controllers/runtime/dead-letters";
import { CURRENT_INFLIGHT, FAMILIES, WORKQUEUE_ADDS, WORKQUEUE_DEPTH, WORKQUEUE_DONE } from "./definitions";
import { EXPOSITION_CONTENT_TYPE, renderFamily } from "./exposition";
import type { FleetSnapshot, SeriesRow } from "./fleet-metrics";
import { fleetMetricsStub, flushMetrics } from "./flush";
import { labelKey } from "./labels";
import { scrapeGauges } from "./scrape-gauges";

/** `workqueue_depth{name}`: keys added and not yet done, never below zero. */
export function workqueueDepth(counters: readonly SeriesRow[]): SeriesRow[] {
  const done = new Map(counters.filter((c) => c.name === WORKQUEUE_DONE.name).map((c) => [c.labels, c.value]));
  return counters
    .filter((c) => c.name === WORKQUEUE_ADDS.name)
    .map((c) => ({ name: WORKQUEUE_DEPTH.name, labels: c.labels, value: Math.max(0, c.value - (done.get(c.labels) ?? 0)) }));
}

/** Both request kinds of the in-flight gauge, zero when no isolate reported one. */
function inflight(gauges: readonly SeriesRow[]): SeriesRow[] {
  return ["readOnly", "mutating"].map((kind) => {
    const labels = labelKey([["request_kind", kind]]);
    const value = gauges.find((g) => g.name === CURRENT_INFLIGHT.name && g.labels === labels)?.value ?? 0;
    return { name: CURRENT_INFLIGHT.name, labels, value: Math.max(0, value) };
  });
}

/** The exposition of one scrape. */
export function renderScrape(fleet: FleetSnapshot, gauges: readonly SeriesRow[]): string {
  const series = [...fleet.counters, ...inflight(fleet.gauges), ...gauges, ...workqueueDepth(fleet.counters)];
  const lines: string[] = [];
  for (const family of FAMILIES) {
    const own = series.filter((s) => s.name === family.name).sort((a, b) => a.labels.localeCompare(b.labels));
    const hist = fleet.histograms.filter((h) => h.name === family.name).sort((a, b) => a.labels.localeCompare(b.labels));
    lines.push(...renderFamily(family, own, hist));
  }
  return `${lines.join("\n")}\n`;
}

/** The route, mounted on the app behind authentication and authorization. */
export const metricsRoute = new Hono<{ Bindings: Env }>();

metricsRoute.get("/metrics", async (c) => {
  await flushMetrics();
  const [fleet, gauges, deadLetters] = await Promise.all([
    fleetMetricsStub(c.env).snapshot(), scrapeGauges(c.env), deadLetterMetrics(c.env),
  ]);
  return c.body(renderScrape(fleet, gauges) + deadLetters, 200, { "content-type": EXPOSITION_CONTENT_TYPE });
});
