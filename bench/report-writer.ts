/**
 * Writes REPORT.md and its PNG charts from one run's results folder: the
 * newest `<suite>-<stamp>.json` of each suite, and `run.json` if
 * bench/run-all.ts left one (which suites ran, with what arguments, how they
 * ended, whether the run was short).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { renderChart } from "./report-chart.ts";
import { chartPlans } from "./report-charts.ts";
import { type Json, num, str } from "./report-json.ts";
import { READERS, ratioOf, type ReportRow } from "./report-rows.ts";

/** What bench/run-all.ts records about a run, as run.json in the results folder. */
export interface RunRecord {
  short: boolean;
  startedAt: string;
  /** `git rev-parse --short HEAD` of the tree that ran, and whether it had local changes. */
  commit?: string;
  suites: { name: string; args: string[]; exitCode: number; seconds: number }[];
}

/** Where to read and write. */
export interface ReportOptions {
  resultsDir: string;
  /** REPORT.md goes here, the charts into `<outDir>/<chartsDir>/`. */
  outDir: string;
  chartsDir?: string;
}

/** What was written. */
export interface ReportOutput {
  reportPath: string;
  charts: string[];
  rows: ReportRow[];
  /** Suites with a results file. */
  suites: string[];
}

/** The newest results file of `suite` in `dir` (stamps sort as text), if any. */
export function newestResults(dir: string, suite: string): string | undefined {
  const pattern = new RegExp(`^${suite}-\\d{4}-\\d{2}-\\d{2}T[0-9-]+Z\\.json$`);
  return readdirSync(dir).filter((f) => pattern.test(f)).sort().pop();
}

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, "utf8")) as Json;
}

/** A figure to 3 significant digits, at most one decimal over 100. */
function fmt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "";
  const a = Math.abs(n);
  return a >= 100 ? n.toFixed(0) : a >= 10 ? n.toFixed(1) : a >= 1 ? n.toFixed(2) : n.toFixed(3);
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;

function figuresTable(rows: ReportRow[]): string {
  const head = ["suite", "figure", "value", "floor (same run)", "ratio", "measures, from → to", "the floor is"];
  return [line(head), line(head.map(() => "---")),
    ...rows.map((r) => line([r.suite, r.figure, `${fmt(r.value)} ${r.unit}`, r.floor === undefined ? "" : `${fmt(r.floor)} ${r.unit}`,
      ratioOf(r) === undefined ? "" : `${fmt(ratioOf(r))}×`, r.measures, r.floorIs]))].join("\n");
}

function suitesTable(run: RunRecord | undefined, found: Map<string, string>): string {
  const head = ["suite", "arguments", "exit", "seconds", "results file"];
  const names = run ? run.suites.map((s) => s.name) : [...found.keys()];
  return [line(head), line(head.map(() => "---")), ...names.map((name) => {
    const s = run?.suites.find((x) => x.name === name);
    return line([name, s ? `\`${s.args.join(" ") || "(defaults)"}\`` : "", s ? (s.exitCode === 0 ? "0" : `**${s.exitCode}**`) : "", s ? s.seconds.toFixed(0) : "",
      found.get(name) ?? "none"]);
  })].join("\n");
}

function machineLine(results: Json[]): string {
  const j = results[0];
  const cpus = num(j, "machine", "cpus");
  return cpus === undefined ? "" : `${cpus} × ${str(j, "machine", "cpuModel") ?? "?"}, Node ${str(j, "machine", "node") ?? "?"}`;
}

/** Reads the results folder and writes the report and its charts. */
export async function writeReport(opts: ReportOptions): Promise<ReportOutput> {
  const chartsDir = opts.chartsDir ?? "report-charts";
  const runPath = join(opts.resultsDir, "run.json");
  const run = existsSync(runPath) ? (readJson(runPath) as RunRecord) : undefined;
  const found = new Map<string, string>();
  const results = new Map<string, Json>();
  for (const suite of Object.keys(READERS)) {
    const file = newestResults(opts.resultsDir, suite);
    if (file === undefined) continue;
    found.set(suite, file);
    results.set(suite, readJson(join(opts.resultsDir, file)));
  }
  const rows = [...results].flatMap(([suite, j]) => READERS[suite]?.(j) ?? []);

  mkdirSync(join(opts.outDir, chartsDir), { recursive: true });
  const charts: string[] = [];
  const chartLines: string[] = [];
  for (const plan of chartPlans(results)) {
    const path = join(opts.outDir, chartsDir, plan.file);
    writeFileSync(path, await renderChart(plan.chart));
    charts.push(path);
    chartLines.push(`**${plan.caption}**\n\n![${plan.chart.title}](${chartsDir}/${plan.file})\n`);
  }

  const dates = [...results.values()].map((j) => str(j, "date")).filter((d): d is string => d !== undefined).sort();
  const failed = run?.suites.filter((s) => s.exitCode !== 0).map((s) => s.name) ?? [];
  const md = [
    "# Benchmark report",
    "",
    "Written by `npm run bench` (bench/run-all.ts runs every suite, then bench/report.ts reads their results).",
    `Results from ${dates[0] ?? "?"} to ${dates[dates.length - 1] ?? "?"}${machineLine([...results.values()]) ? ` on ${machineLine([...results.values()])}` : ""}` +
      `${run?.commit ? `, tree at ${run.commit}` : ""}.`,
    "",
    ...(run?.short
      ? ["> **Short run** (`npm run bench -- --short`): small sizes that test the pipeline, not the system.", "> Do not quote these figures; a full run (`npm run bench`) replaces this file.", ""]
      : []),
    ...(failed.length > 0 ? [`> **Failed suites:** ${failed.join(", ")} (their rows are missing or from a partial run; the results folder keeps their server logs).`, ""] : []),
    "## Suites",
    "",
    suitesTable(run, found),
    "",
    "## Figures",
    "",
    "Each figure beside the floor the same run measured, and their ratio (figure ÷ floor). For latencies and times a ratio above 1 is the",
    "cost above the floor; for creates/s a ratio below 1 is. bench/README.md says how each suite measures and why its floor is fair.",
    "",
    rows.length > 0 ? figuresTable(rows) : "No results found.",
    "",
    "## Charts",
    "",
    ...(chartLines.length > 0 ? chartLines : ["No chart: no suite left the data for one.", ""]),
  ].join("\n");
  const reportPath = join(opts.outDir, "REPORT.md");
  writeFileSync(reportPath, md);
  return { reportPath, charts: charts.map((c) => relative(opts.outDir, c)), rows, suites: [...found.keys()] };
}
