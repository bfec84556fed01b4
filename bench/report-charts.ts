/**
 * The charts of bench/REPORT.md, built from the suites' results JSON:
 * latency distributions (each figure's percentiles against its floor's) and
 * converge curves (objects Running, or a controller's replicas, against
 * seconds). A chart whose data a run did not produce is left out.
 */
import { at, type Json, list, num, numbers, str } from "./report-json.ts";
import type { LineChart, Series } from "./report-chart.ts";

/** A chart to render, its file name and the sentence that says what it shows. */
export interface ChartPlan {
  file: string;
  caption: string;
  chart: LineChart;
}

/** A percentile ladder (101 values, p0…p100) as (latency, percentile) points. */
function ladderPoints(ladder: number[]): [number, number][] {
  return ladder.length === 101 ? ladder.map((v, p) => [v, p] as [number, number]) : [];
}

/** Sorted samples as an empirical distribution: (latency, percent at or below). */
function samplePoints(sorted: number[]): [number, number][] {
  return sorted.map((v, i) => [v, (100 * (i + 1)) / sorted.length] as [number, number]);
}

/** The mean of ladders, percentile by percentile (quantile averaging over rounds). */
function averageLadders(ladders: number[][]): number[] {
  const full = ladders.filter((l) => l.length === 101);
  if (full.length === 0) return [];
  return Array.from({ length: 101 }, (_, p) => full.reduce((sum, l) => sum + (l[p] ?? 0), 0) / full.length);
}

const distribution = (title: string, series: Series[], xTitle = "latency, ms (log scale)"): LineChart =>
  ({ title, xTitle, yTitle: "percentile", series: series.filter((s) => s.points.length > 0), xLog: true });

function writesChart(j: Json): ChartPlan | undefined {
  const series = list(j, "results").flatMap((level) => {
    const c = num(level, "clients") ?? 0;
    const rounds = list(level, "rounds");
    return (["floor", "real"] as const).map((path) => ({
      name: `${path === "real" ? "create" : "floor write"}, ${c} client${c === 1 ? "" : "s"}`,
      points: ladderPoints(averageLadders(rounds.map((r) => numbers(r, path, "cdfMs")))),
    }));
  });
  if (!series.some((s) => s.points.length > 0)) return undefined;
  return { file: "writes-latency.png", caption: "bench/writes: create latency (request start → last response byte) against the floor write, percentiles averaged over the rounds",
    chart: distribution("writes: create vs floor write", series) };
}

function watchChart(j: Json): ChartPlan | undefined {
  const reports = list(j, "reports");
  const series: Series[] = reports.flatMap((r) => {
    const w = num(r, "watchers") ?? 0;
    const watchers = `${w} watcher${w === 1 ? "" : "s"}`;
    const create = { name: `create, ${watchers}`, points: ladderPoints(numbers(r, "writes", "cdfMs")) };
    const delivery = str(j, "deliveryFrom") === "request start" ? ladderPoints(numbers(r, "delivery", "cdfMs")) : [];
    return w === 0 ? [create] : [create, { name: `delivery, ${watchers}`, points: delivery }];
  });
  if (!series.some((s) => s.points.length > 0)) return undefined;
  return { file: "watch-latency.png", caption: "bench/watch: create latency per watcher count, and delivery (create request start → event read by a watcher)",
    chart: distribution("watch: create and delivery latency", series) };
}

function listChart(j: Json): ChartPlan | undefined {
  const series = list(j, "cases").map((c) => ({
    name: str(c, "name") === "floor" ? "floor: GET of one pod" : `${str(c, "name") ?? "?"} (${num(c, "items") ?? "?"} pods)`,
    points: samplePoints(numbers(c, "samplesMs")),
  }));
  if (!series.some((s) => s.points.length > 0)) return undefined;
  return { file: "list-latency.png", caption: `bench/list: every sample of each case (${num(j, "pods") ?? "?"} pods), request start → last byte; the floor is a GET of one pod`,
    chart: { ...distribution("list: latency per case", series), step: true } };
}

function fleetCharts(j: Json): ChartPlan[] {
  const out: ChartPlan[] = [];
  const kinds = [["vmis", "VMIs"], ["pods", "pods"]] as const;
  const lat = kinds.flatMap(([k, name]) => [
    { name: `${name}, hosts (watch: seen → Running)`, points: ladderPoints(numbers(j, "real", k, "cdfMs")) },
    { name: `${name}, floor (create → status written)`, points: ladderPoints(numbers(j, "floor", k, "cdfMs")) },
  ]);
  if (lat.some((s) => s.points.length > 0)) {
    out.push({ file: "fleet-latency.png", caption: "bench/fleet: per-object creation → Running and Ready, through the hosts, against the floor of direct status writes",
      chart: distribution("fleet: creation → Running per object", lat) });
  }
  const curves = kinds.map(([k, name]) => {
    const times = numbers(j, "real", "runningAtS", k);
    return { name: `${name} Running`, points: [[0, 0] as [number, number], ...times.map((t, i) => [t, i + 1] as [number, number])] };
  }).filter((s) => s.points.length > 1);
  if (curves.length > 0) {
    out.push({ file: "fleet-converge.png", caption: `bench/fleet: objects Running and Ready against seconds since the VMIRS and ReplicaSet were created (${num(j, "hosts") ?? "?"} hosts)`,
      chart: { title: "fleet: Running count over time", xTitle: "seconds since the owners' create", yTitle: "objects Running and Ready", series: curves, step: true } });
  }
  return out;
}

function convergeChart(j: Json): ChartPlan | undefined {
  const series = list(j, "rows").flatMap((r) => {
    const label = `${str(r, "kind") ?? "?"} N=${num(r, "n") ?? "?"}`;
    const curve = (field: string) => list(r, field, "curve").flatMap((p) => {
      const x = num(p, 0);
      const y = num(p, 1);
      return x === undefined || y === undefined ? [] : [[x, y] as [number, number]];
    });
    return [{ name: `${label} replicas`, points: curve("converge") }, { name: `${label} readyReplicas`, points: curve("ready") }];
  }).filter((s) => s.points.length > 0);
  if (series.length === 0) return undefined;
  return { file: "converge-curves.png",
    caption: "bench/converge: status.replicas against seconds since the scale PATCH, and status.readyReplicas against seconds since the first readiness patch (as polled, one point per change)",
    chart: { title: "converge: status counts over time", xTitle: "seconds", yTitle: "replicas", series, step: true } };
}

function drainChart(j: Json): ChartPlan | undefined {
  const points = list(j, "drain", "curve").flatMap((p) => {
    const x = num(p, 0);
    const y = num(p, 1);
    return x === undefined || y === undefined ? [] : [[x, y] as [number, number]];
  });
  if (points.length === 0) return undefined;
  return { file: "drain-curve.png", caption: "bench/drain: VMIs still on the drained host against seconds since it was cordoned (as polled, one point per change)",
    chart: { title: "drain: VMIs left on the source host", xTitle: "seconds since cordon", yTitle: "VMIs on the source host", series: [{ name: "VMIs on host-1", points }], step: true } };
}

/** Every chart the results allow, by suite name → its results JSON. */
export function chartPlans(results: Map<string, Json>): ChartPlan[] {
  const get = (suite: string) => results.get(suite);
  const plans: (ChartPlan | undefined)[] = [];
  const w = get("writes");
  if (w !== undefined) plans.push(writesChart(w));
  const wa = get("watch");
  if (wa !== undefined) plans.push(watchChart(wa));
  const l = get("list");
  if (l !== undefined) plans.push(listChart(l));
  const c = get("converge");
  if (c !== undefined) plans.push(convergeChart(c));
  const f = get("fleet");
  if (f !== undefined && at(f, "real") !== undefined) plans.push(...fleetCharts(f));
  const d = get("drain");
  if (d !== undefined) plans.push(drainChart(d));
  return plans.filter((p): p is ChartPlan => p !== undefined);
}
