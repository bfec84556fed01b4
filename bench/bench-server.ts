/**
 * What every benchmark does around its measurements: start a local server
 * (`npm start`) in a fresh temporary state folder, run, write the figures as
 * JSON to bench/results/<name>-<timestamp>.json, and always stop the server
 * and delete the folder — on success, on failure (then the server's output
 * goes beside the JSON as .log and the exit code is 1), on Ctrl-C (130) and
 * when a deadline passes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LocalServer, startServer, stopServer } from "../test/e2e/server.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
/** bench/results/, or the folder `npm run bench` (bench/run-all.ts) gives its suites, so one run's files sit together. */
const RESULTS_DIR = process.env.DURAPLANE_BENCH_RESULTS ?? join(BENCH_DIR, "results");

/** What a bench body returns: the figures to keep, and why the run failed if it did. */
export interface BenchOutcome {
  figures: Record<string, unknown>;
  failed?: string;
}

/** How to run one bench. */
export interface BenchOptions {
  /** Prefix of the results files, e.g. "writes". */
  name: string;
  /** Server options besides the state folder. */
  server?: Omit<Parameters<typeof startServer>[0], "state">;
  /** Stops whatever else the bench started (writer processes, agents) before the server stops. */
  beforeStop?: () => Promise<void> | void;
  /** Stop everything and fail after this long. */
  deadlineMs?: number;
}

/** Runs `body` against a fresh server and sets the process exit code. */
export async function runBench(opts: BenchOptions, body: (server: LocalServer) => Promise<BenchOutcome>): Promise<void> {
  // startServer runs `npm start` in the working directory: make it the repo root.
  process.chdir(dirname(BENCH_DIR));
  const state = mkdtempSync(join(tmpdir(), `duraplane-${opts.name}-`));
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  let server: LocalServer | undefined;
  let interrupted = false;
  let cleaned: Promise<void> | undefined;

  const cleanUp = (): Promise<void> => {
    cleaned ??= (async () => {
      await opts.beforeStop?.();
      if (server) await stopServer(server);
      rmSync(state, { recursive: true, force: true });
    })();
    return cleaned;
  };
  const saveLogs = (): void => {
    if (!server) return;
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `${opts.name}-${stamp}.log`);
    writeFileSync(file, server.logs());
    console.error(`server output written to ${file}`);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      // The server runs in its own process group, so a Ctrl-C does not reach it.
      interrupted = true;
      console.error(`\n${signal}: stopping the server`);
      // While it is still starting there is no handle on it yet: the flow below stops it once it is up.
      if (server) void cleanUp().finally(() => process.exit(130));
    });
  }
  const deadline = opts.deadlineMs === undefined ? undefined : setTimeout(() => {
    console.error(`\nthe bench ran over ${opts.deadlineMs ?? 0} ms: stopping the server`);
    saveLogs();
    void cleanUp().finally(() => process.exit(1));
  }, opts.deadlineMs);

  try {
    console.log(`starting the server (state ${state})`);
    server = await startServer({ ...opts.server, state });
    if (interrupted) throw new Error("interrupted");
    const outcome = await body(server);
    const date = new Date();
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `${opts.name}-${stamp}.json`);
    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version, platform: process.platform };
    writeFileSync(file, `${JSON.stringify({ date: date.toISOString(), machine, ...outcome.figures }, null, 2)}\n`);
    console.log(`results written to ${file}`);
    // DURAPLANE_BENCH_LOGS=1 keeps the server's output of a run that passed too (for a reconcile's errors, a restart).
    if (!outcome.failed && process.env.DURAPLANE_BENCH_LOGS === "1") saveLogs();
    if (outcome.failed) {
      console.error(outcome.failed);
      saveLogs();
      process.exitCode = 1;
    }
  } catch (err) {
    if (!interrupted) {
      console.error(err instanceof Error ? err.message : String(err));
      saveLogs();
      process.exitCode = 1;
    }
  } finally {
    if (deadline) clearTimeout(deadline);
    if (!interrupted || server) await cleanUp();
    if (interrupted) process.exitCode = 130;
  }
}
