/**
 * @module
 * The simulated containers' tiny shell, enough for exec: `echo`, `env`,
 * `hostname`, `cat /etc/hostname`, `true`, `false`, `exit N`, `sh -c '…'`
 * (commands split by `;`, `&&` and `||`), and an interactive `sh` reading
 * stdin — with a terminal it echoes what is typed and prompts, as a shell
 * on a pty does.
 */
import { PassThrough } from "node:stream";
import type { ProcessSession } from "./streams.ts";

/** What the shell knows of its container. */
export interface ShellContext {
  hostname: string;
  env: Record<string, string>;
}

interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Splits a command line into words (single and double quotes, backslashes); undefined when a quote is left open. */
export function words(line: string): string[] | undefined {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? "";
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && i + 1 < line.length) cur += line[++i] ?? "";
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      has = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      cur += line[++i] ?? "";
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += ch;
    }
  }
  if (quote) return undefined;
  if (has || cur) out.push(cur);
  return out;
}

/** Thrown by `exit` to leave the shell. */
class Exit {
  constructor(readonly code: number) {}
}

/** Runs one command (argv); returns its exit code. */
export function runCommand(argv: readonly string[], ctx: ShellContext, io: Output): number {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case undefined: return 0;
    case "echo": {
      const n = args[0] === "-n";
      io.out(`${(n ? args.slice(1) : args).join(" ")}${n ? "" : "\n"}`);
      return 0;
    }
    case "env": io.out(Object.entries(ctx.env).map(([k, v]) => `${k}=${v}\n`).join("")); return 0;
    case "hostname": io.out(`${ctx.hostname}\n`); return 0;
    case "cat":
      for (const f of args) {
        if (f === "/etc/hostname") io.out(`${ctx.hostname}\n`);
        else {
          io.err(`cat: can't open '${f}': No such file or directory\n`);
          return 1;
        }
      }
      return 0;
    case "true": return 0;
    case "false": return 1;
    case "exit": throw new Exit(Number.parseInt(args[0] ?? "0", 10) & 0xff || 0);
    case "sh": case "/bin/sh": case "bash": case "/bin/bash":
      if (args[0] === "-c") {
        try {
          return runScript(args[1] ?? "", ctx, io);
        } catch (e) {
          if (e instanceof Exit) return e.code;
          throw e;
        }
      }
      io.err(`${cmd}: only -c is supported without a terminal\n`);
      return 2;
    default:
      io.err(`sh: ${cmd}: not found\n`);
      return 127;
  }
}

/** Runs a script line: commands joined by `;`, `&&`, `||`. `exit` propagates. */
export function runScript(script: string, ctx: ShellContext, io: Output): number {
  const parts = script.split(/(;|&&|\|\||\n)/);
  let code = 0;
  let skip = false;
  for (let i = 0; i < parts.length; i += 2) {
    const text = parts[i] ?? "";
    const op = parts[i - 1];
    if (op === "&&") skip = code !== 0;
    else if (op === "||") skip = code === 0;
    else skip = false;
    if (skip) continue;
    const argv = words(text);
    if (argv === undefined) {
      io.err("sh: syntax error: unterminated quoted string\n");
      return 2;
    }
    // `>&2` (or `1>&2`) sends the command's output to stderr, the one redirection the shell knows.
    const toErr = argv.some((w) => w === ">&2" || w === "1>&2");
    const args = argv.filter((w) => w !== ">&2" && w !== "1>&2");
    if (args.length > 0) code = runCommand(args, ctx, toErr ? { out: io.err, err: io.err } : io);
  }
  return code;
}

/** exec: a session running `command`; `sh` alone with stdin is interactive. */
export function shellSession(command: readonly string[], ctx: ShellContext, tty: boolean, withStdin: boolean): ProcessSession {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const nl = (s: string): string => (tty ? s.replace(/\r?\n/g, "\r\n") : s);
  const io: Output = { out: (t) => stdout.write(nl(t)), err: (t) => (tty ? stdout : stderr).write(nl(t)) };
  let finish!: (code: number) => void;
  const exit = new Promise<number>((resolve) => (finish = resolve));
  let done = false;
  const end = (code: number): void => {
    if (done) return;
    done = true;
    stdout.end();
    stderr.end();
    finish(code);
  };
  const interactive = withStdin && command.length === 1 && ["sh", "/bin/sh", "bash", "/bin/bash"].includes(command[0] ?? "");
  if (!interactive) {
    let code: number;
    try {
      code = runCommand(command, ctx, io);
    } catch (e) {
      if (!(e instanceof Exit)) throw e;
      code = e.code;
    }
    setImmediate(() => end(code));
    return { stdout, stderr, resize: () => {}, exit, kill: () => end(137) };
  }
  const stdin = new PassThrough();
  const prompt = (): void => {
    if (tty) stdout.write("/ # ");
  };
  let line = "";
  let last = 0;
  const run = (): void => {
    try {
      last = runScript(line, ctx, io);
    } catch (e) {
      if (!(e instanceof Exit)) throw e;
      end(e.code);
    }
    line = "";
    if (!done) prompt();
  };
  stdin.on("data", (chunk: Buffer) => {
    for (const ch of chunk.toString("utf8")) {
      if (done) return;
      if (ch === "\r" || ch === "\n") {
        if (tty) stdout.write("\r\n");
        run();
      } else if (ch === "\u0004" && line === "") {
        if (tty) stdout.write("exit\r\n");
        end(last);
      } else if (ch === "\u0003") {
        if (tty) stdout.write("^C\r\n");
        line = "";
        prompt();
      } else if (ch === "\u007f" || ch === "\b") {
        if (line.length > 0) {
          line = line.slice(0, -1);
          if (tty) stdout.write("\b \b");
        }
      } else {
        line += ch;
        if (tty) stdout.write(ch);
      }
    }
  });
  stdin.on("end", () => {
    if (line !== "") run();
    end(last);
  });
  prompt();
  return { stdin, stdout, stderr, resize: () => {}, exit, kill: () => end(137) };
}
