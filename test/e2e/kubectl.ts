/**
 * Runs the real /usr/bin/kubectl against the test server with a fresh
 * discovery cache per test run.
 */
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tempDir } from "./temp-dir.ts";

const cacheDir = tempDir("duraplane-kubectl-cache-");

/** What one kubectl run printed. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How long kubectl may run: a minute, or 30 s past its own `--timeout=Ns` (`wait`), so it can report its own timeout. */
function runLimitMs(args: readonly string[]): number {
  const own = args.map((a) => /^--timeout=(\d+)s$/.exec(a)?.[1]).find((v) => v !== undefined);
  return Math.max(60_000, (Number(own ?? 0) + 30) * 1000);
}

/** kubectl's command line and environment, the same for both ways of running it. */
function invocation(kubeconfig: string, args: string[]): { argv: string[]; env: NodeJS.ProcessEnv } {
  return { argv: [`--cache-dir=${cacheDir}`, ...args], env: { ...process.env, KUBECONFIG: kubeconfig, HOME: process.env.HOME ?? tmpdir() } };
}

/** Runs kubectl with the given arguments (and optional stdin). */
export function kubectl(kubeconfig: string, args: string[], input?: string): KubectlResult {
  const { argv, env } = invocation(kubeconfig, args);
  const res = spawnSync("/usr/bin/kubectl", argv, {
    env,
    input,
    encoding: "utf8",
    timeout: runLimitMs(args),
  });
  return { code: res.status ?? -1, stdout: res.stdout ?? "", stderr: res.stderr ?? "" };
}

/**
 * Runs kubectl without blocking this process, so that timers (a test sampling
 * state while `kubectl drain` runs) fire meanwhile; killed past its run limit.
 */
export function kubectlAsync(kubeconfig: string, args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const { argv, env } = invocation(kubeconfig, args);
    const child = spawn("/usr/bin/kubectl", argv, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), runLimitMs(args));
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Writes `content` to a temp file and returns its path (for `-f`). */
export function manifest(content: string): string {
  const dir = tempDir("duraplane-manifest-");
  const file = join(dir, "manifest.yaml");
  writeFileSync(file, content);
  return file;
}

/** A kubectl runner bound to one kubeconfig that returns stdout and throws (with stderr) on failure. */
export function kubectlOk(kubeconfig: () => string): (...args: string[]) => string {
  return (...args) => {
    const r = kubectl(kubeconfig(), args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
}

/** Polls `check` until it holds, failing with `what` after `ms`. */
export async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
