/**
 * Simulated hosts for `npm start --hosts N`, the end-to-end tests and
 * bench/fleet: each host is a real `duraplane-agent` process (the simulated
 * runtime adapter) that joined with a join token minted by the admin, with
 * its credentials and log in `<state>/hosts/<name>/`. Hosts that joined in an
 * earlier run keep their credentials and just run again.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const CLI = resolve("agent/cli.ts");

/** Agents started here that have not exited. */
const live = new Set<ChildProcess>();
// Whoever started hosts — `npm start`, a test, a bench — may end without
// stopHosts (an error, a failed hook): its agents end with it.
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** One running simulated host. */
export interface LocalHost {
  name: string;
  dir: string;
  log: string;
  process: ChildProcess;
}

/** Where host `name` of a state folder keeps its credentials and log. */
export function hostDir(state: string, name: string): string {
  return resolve(state, "hosts", name);
}

function agent(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ["--import", "tsx", CLI, ...args], { encoding: "utf8" });
}

/** Joins host `name` unless its folder already holds credentials. */
export async function joinHost(server: string, adminToken: string, state: string, name: string, joinArgs: string[] = []): Promise<string> {
  const dir = hostDir(state, name);
  if (existsSync(join(dir, "credentials.json"))) return dir;
  mkdirSync(dir, { recursive: true });
  // `--token=…` in one word: a base64url token may start with "-", which parseArgs would take for an option.
  const minted = await agent(["token", "create", "--server", server, `--token=${adminToken}`, "--ttl", "600", "--description", `npm start host ${name}`]);
  const token = minted.stdout.trim().split(/\s+/).find((w) => /^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(w));
  if (!token) throw new Error(`no join token in: ${minted.stdout} ${minted.stderr}`);
  await agent(["join", "--server", server, "--join-token", token, "--name", name, "--state", dir, ...joinArgs]);
  return dir;
}

/** Starts the agent of a joined host; its output goes to `<dir>/agent.log`. */
export function runHost(state: string, name: string, runArgs: string[] = []): LocalHost {
  const dir = hostDir(state, name);
  const log = join(dir, "agent.log");
  const out = createWriteStream(log, { flags: "a" });
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "run", "--state", dir, ...runArgs], { stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  child.once("exit", () => live.delete(child));
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return { name, dir, log, process: child };
}

/** Joins (if needed) and starts `count` hosts named host-1…host-N, a few joins at a time. */
export async function startHosts(server: string, adminToken: string, state: string, count: number, opts: { joinArgs?: string[]; runArgs?: string[] } = {}): Promise<LocalHost[]> {
  const names = Array.from({ length: count }, (_, i) => `host-${i + 1}`);
  for (let i = 0; i < names.length; i += 4) {
    await Promise.all(names.slice(i, i + 4).map((n) => joinHost(server, adminToken, state, n, opts.joinArgs)));
  }
  return names.map((n) => runHost(state, n, opts.runArgs));
}

/** Stops host agents (SIGTERM) and waits for them to exit. */
export async function stopHosts(hosts: readonly LocalHost[]): Promise<void> {
  await Promise.all(hosts.map((h) => new Promise<void>((done) => {
    if (h.process.exitCode !== null || h.process.signalCode !== null) return done();
    h.process.once("exit", () => done());
    h.process.kill("SIGTERM");
    setTimeout(() => h.process.kill("SIGKILL"), 5000).unref();
  })));
}
