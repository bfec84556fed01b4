/**
 * `npm run bench`: every suite in bench/, one after another (each starts and
 * stops its own server, so none runs beside another), their results in one
 * folder, then bench/REPORT.md and its charts from that folder.
 *
 *   npm run bench [-- --short] [-- --only writes,list] [-- --skip fairness]
 *
 * `--short` runs each suite at a size that checks the pipeline end to end in
 * a few minutes (the figures are not for quoting; the report says so).
 * Results go to bench/results/run-<stamp>/ (gitignored), with run.json
 * recording each suite's arguments, exit code and duration. A suite that
 * fails does not stop the others; the run then exits 1 after the report.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type RunRecord, writeReport } from "./report-writer.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** Each suite, with its arguments for a full and for a short run. */
const SUITES: { name: string; full: string[]; short: string[] }[] = [
  { name: "writes", full: [], short: ["--clients", "1,8", "--count", "50", "--rounds", "1", "--settle-ms", "500"] },
  { name: "watch", full: [], short: ["--watchers", "0,1,100", "--writes", "30", "--settle-ms", "500", "--drain-ms", "5000"] },
  { name: "list", full: [], short: ["--short"] },
  { name: "converge", full: [], short: ["--sizes", "50", "--settle-ms", "500"] },
  { name: "fleet", full: [], short: ["--hosts", "2", "--vmis", "20", "--pods", "20", "--timeout-s", "120"] },
  { name: "drain", full: [], short: ["--hosts", "2", "--vmis", "10", "--migration-duration-ms", "500", "--timeout-s", "120"] },
  { name: "streams", full: [], short: ["--execs", "20", "--kubectl-runs", "2", "--followers", "2", "--follow-s", "5"] },
  { name: "fairness", full: [], short: ["--count", "20", "--warmup", "5", "--rounds", "1", "--noisy-clients", "8"] },
  { name: "cost", full: [], short: ["--short"] },
  { name: "profile", full: [], short: ["--short"] },
];

const { values } = parseArgs({
  options: {
    short: { type: "boolean", default: false },
    only: { type: "string" },
    skip: { type: "string", default: "" },
  },
  allowPositionals: false,
});
const names = (raw: string) => raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
for (const n of [...names(values.only ?? ""), ...names(values.skip)]) {
  if (!SUITES.some((s) => s.name === n)) throw new Error(`unknown suite ${n}; known: ${SUITES.map((s) => s.name).join(", ")}`);
}
const chosen = SUITES.filter((s) => (values.only === undefined || names(values.only).includes(s.name)) && !names(values.skip).includes(s.name));

let interrupted = false;
process.on("SIGINT", () => {
  // The suite in flight gets the same Ctrl-C (one process group) and stops its server; then the loop ends.
  interrupted = true;
});

/** Runs one suite to its end; answers its exit code. */
function runSuite(file: string, args: string[], resultsDir: string): Promise<number> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", file, ...args], {
      stdio: "inherit",
      env: { ...process.env, DURAPLANE_BENCH_RESULTS: resultsDir },
    });
    child.on("error", (err) => {
      console.error(`${file}: ${err.message}`);
      done(1);
    });
    child.on("exit", (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

const startedAt = new Date();
const resultsDir = join(BENCH_DIR, "results", `run-${startedAt.toISOString().replace(/[:.]/g, "-")}`);
mkdirSync(resultsDir, { recursive: true });
const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: BENCH_DIR, encoding: "utf8" });
const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: BENCH_DIR, encoding: "utf8" });
const commit = head.status === 0 ? `${head.stdout.trim()}${dirty.stdout.trim() !== "" ? " with local changes" : ""}` : undefined;
const run: RunRecord = { short: values.short, startedAt: startedAt.toISOString(), ...(commit ? { commit } : {}), suites: [] };
for (const suite of chosen) {
  if (interrupted) break;
  const args = values.short ? suite.short : suite.full;
  console.log(`\n=== ${suite.name} ${args.join(" ")}`);
  const t0 = process.hrtime.bigint();
  const exitCode = await runSuite(join(BENCH_DIR, `${suite.name}.ts`), args, resultsDir);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  run.suites.push({ name: suite.name, args, exitCode, seconds });
  console.log(`=== ${suite.name}: exit ${exitCode} after ${seconds.toFixed(0)} s`);
  writeFileSync(join(resultsDir, "run.json"), `${JSON.stringify(run, null, 2)}\n`);
}

if (interrupted) {
  console.error("interrupted: no report written");
  process.exitCode = 130;
} else {
  const out = await writeReport({ resultsDir, outDir: BENCH_DIR });
  const total = run.suites.reduce((s, x) => s + x.seconds, 0);
  console.log(`\n${out.rows.length} figures, ${out.charts.length} charts; suites took ${total.toFixed(0)} s`);
  console.log(`report written to ${out.reportPath} (results in ${resultsDir})`);
  const failed = run.suites.filter((s) => s.exitCode !== 0);
  if (failed.length > 0) {
    console.error(`failed: ${failed.map((s) => `${s.name} (exit ${s.exitCode})`).join(", ")}`);
    process.exitCode = 1;
  }
}
