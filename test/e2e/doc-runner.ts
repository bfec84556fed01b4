/**
 * Runs one Markdown shell block as a reader would, in one bash session (so
 * `export` and `T=$(…)` carry to the next command), in a working folder set
 * up like the project's: `.duraplane/kubeconfig`, and `npx duraplane` /
 * `npx duraplane-agent` resolving to this checkout's executables.
 *
 * What is changed from the text, and why (each a thing a reader does by
 * hand, not a different command):
 * - `npm start …` is not run again: the test's server is `npm start`;
 * - `127.0.0.1:8787` becomes the test server's address (a free port), and
 *   a placeholder the reader fills in (`<id>`) what the test's policy gives;
 * - a foreground watch (`kubectl … -w`) is stopped after a few seconds,
 *   as the reader's Ctrl-C would, and a host agent's `run` goes to the
 *   background so the next command can be typed;
 * - everything the block left running is killed with its process group.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { DocBlock, DocCommand } from "./doc-blocks.ts";
import { tempDir } from "./temp-dir.ts";

/** How long a foreground watch runs before the reader's Ctrl-C. */
const WATCH_SECONDS = 5;
/** The most one block may take. */
const BLOCK_LIMIT_MS = 240_000;

/** One command's outcome. */
export interface CommandResult {
  command: DocCommand;
  code: number;
  output: string;
  /** Exit codes that count as success for this command (a stopped watch exits 124). */
  ok: number[];
}

/** A working folder like the project's, for one server. */
export function readerWorkdir(kubeconfig: string): string {
  const dir = tempDir("duraplane-docs-");
  mkdirSync(join(dir, ".duraplane"), { recursive: true });
  copyFileSync(kubeconfig, join(dir, ".duraplane", "kubeconfig"));
  // npx finds a package's executables in the nearest node_modules/.bin.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "docs-reader", private: true }));
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  const root = resolve(".");
  symlinkSync(join(root, "cli", "bin", "duraplane.mjs"), join(dir, "node_modules", ".bin", "duraplane"));
  symlinkSync(join(root, "agent", "bin", "duraplane-agent.mjs"), join(dir, "node_modules", ".bin", "duraplane-agent"));
  return dir;
}

/** The command as it is run (see the module comment), and the exit codes that mean it worked. */
export function asRun(text: string, serverHost: string, substitute: Record<string, string> = {}): { script: string; ok: number[] } | undefined {
  if (/^npm start\b/.test(text)) return undefined;
  let script = text.replaceAll("127.0.0.1:8787", serverHost);
  for (const [placeholder, value] of Object.entries(substitute)) script = script.replaceAll(placeholder, value);
  const firstLine = script.split("\n")[0] ?? "";
  const background = /&\s*$/.test(firstLine);
  if (!background && /^kubectl\b.*\s(-w|--watch)(\s|$)/.test(firstLine)) {
    return { script: `timeout ${WATCH_SECONDS} ${script}`, ok: [0, 124] };
  }
  if (!background && /^(sudo\s+)?npx duraplane-agent run\b/.test(firstLine)) script = `${script} &`;
  return { script, ok: [0] };
}

/** Runs a block's commands in order in one bash session; every command runs, and each result is returned. */
export async function runBlock(block: DocBlock, opts: { cwd: string; kubeconfig: string; serverHost: string; prelude?: string; substitute?: Record<string, string> }): Promise<CommandResult[]> {
  const out = tempDir("duraplane-docs-out-");
  const run: { command: DocCommand; ok: number[] }[] = [];
  const lines = ["set -u", `exec 3>${JSON.stringify(join(out, "codes"))}`];
  if (opts.prelude) lines.push(`{ ${opts.prelude}\n} >${JSON.stringify(join(out, "prelude"))} 2>&1 || { echo "prelude failed"; cat ${JSON.stringify(join(out, "prelude"))}; exit 90; }`);
  for (const command of block.commands) {
    const r = asRun(command.text, opts.serverHost, opts.substitute);
    if (!r) continue;
    const i = run.length;
    run.push({ command, ok: r.ok });
    // Braces, not a subshell: assignments and exports stay for the next command.
    lines.push(`{ ${r.script}\n} >${JSON.stringify(join(out, `c${i}`))} 2>&1 </dev/null; echo "${i} $?" >&3`);
  }
  writeFileSync(join(out, "block.sh"), lines.join("\n") + "\n");
  const home = tempDir("duraplane-docs-home-");
  const child = spawn("bash", [join(out, "block.sh")], {
    cwd: opts.cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, KUBECONFIG: opts.kubeconfig, LANG: "C.UTF-8" },
  });
  let said = "";
  child.stdout.on("data", (d: Buffer) => (said += d.toString()));
  child.stderr.on("data", (d: Buffer) => (said += d.toString()));
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const onExit = (): void => killGroup();
  process.once("exit", onExit);
  try {
    const code = await new Promise<number>((done) => {
      const timer = setTimeout(killGroup, BLOCK_LIMIT_MS);
      child.once("close", (c) => {
        clearTimeout(timer);
        done(c ?? -1);
      });
    });
    if (code === 90) throw new Error(`the test's prelude for ${block.file}:${block.line} failed:\n${said}`);
  } finally {
    // What the block started in the background (watches, agents) ends with it.
    killGroup();
    process.off("exit", onExit);
  }
  const codes = new Map<number, number>();
  for (const l of readFileSync(join(out, "codes"), "utf8").split("\n")) {
    const [i, c] = l.split(" ").map(Number);
    if (i !== undefined && c !== undefined && !Number.isNaN(i)) codes.set(i, c);
  }
  return run.map(({ command, ok }, i) => {
    let output = "";
    try {
      output = readFileSync(join(out, `c${i}`), "utf8");
    } catch {
      // never reached: the block was stopped before it
    }
    return { command, ok, code: codes.get(i) ?? -1, output };
  });
}

/** Why a result is wrong, or undefined when it is what the doc says. */
export function complaint(r: CommandResult): string | undefined {
  const where = `line ${r.command.line}: ${r.command.text.split("\n")[0]}`;
  if (r.code === -1) return `${where}\n  never finished (the block ran out of time)`;
  if (r.command.expectError !== undefined) {
    if (r.code === 0) return `${where}\n  the doc says it fails with "${r.command.expectError}", but it succeeded:\n${r.output}`;
    if (!r.output.includes(r.command.expectError)) return `${where}\n  the doc says "${r.command.expectError}", it said:\n${r.output}`;
    return undefined;
  }
  if (!r.ok.includes(r.code)) return `${where}\n  exited ${r.code}:\n${r.output}`;
  return undefined;
}
