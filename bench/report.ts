/**
 * `npx tsx bench/report.ts [--results DIR] [--out DIR]`: writes REPORT.md and
 * its PNG charts (into `<out>/report-charts/`) from the newest results of each
 * suite in DIR. `npm run bench` calls it after the suites with its run's
 * folder; by hand it reads bench/results/ and writes bench/REPORT.md.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { writeReport } from "./report-writer.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    results: { type: "string", default: join(BENCH_DIR, "results") },
    out: { type: "string", default: BENCH_DIR },
  },
  allowPositionals: false,
});

const out = await writeReport({ resultsDir: values.results, outDir: values.out });
console.log(`${out.rows.length} figures from ${out.suites.join(", ") || "no suite"}; ${out.charts.length} charts`);
console.log(`report written to ${out.reportPath}`);
