/**
 * The shell blocks of the project's Markdown (README, docs/, agent/README)
 * split into the commands a reader would type, so a test can run them as
 * written: a doc that lies fails CI.
 *
 * A command is one line, or several when a line ends in `\` or opens a
 * heredoc (`<<'YAML'` … `YAML`). A comment line right after a command that
 * starts with `# Error from server` is what the command must fail with; other
 * comments are prose and are not run.
 */
import { readFileSync } from "node:fs";

/** One command of a block, as the reader types it. */
export interface DocCommand {
  /** The command's text, continuation lines and heredoc body included. */
  text: string;
  /** 1-based line in the Markdown file where it starts. */
  line: number;
  /** When the doc shows it failing: the text its output must contain. */
  expectError?: string;
}

/** A fenced ```sh block. */
export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The block's first command line, trimmed of its comment: how the test names it. */
  first: string;
  commands: DocCommand[];
}

const HEREDOC = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/;

/** Drops a trailing ` # comment` that is outside quotes (the doc's annotation, not part of the command). */
export function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"') i++;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === "#" && (i === 0 || /\s/.test(line[i - 1] ?? ""))) {
      return line.slice(0, i).trimEnd();
    }
  }
  return line.trimEnd();
}

/** Splits one block's lines (without fences) into commands. */
export function splitCommands(lines: readonly string[], firstLine: number): DocCommand[] {
  const out: DocCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const trimmed = raw.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("#")) {
      const err = /^#\s*(Error from server.*)$/.exec(trimmed)?.[1];
      const last = out.at(-1);
      if (err && last) last.expectError = err;
      continue;
    }
    const start = i;
    const parts = [withoutComment(raw)];
    // Continuation lines.
    while ((parts.at(-1) ?? "").endsWith("\\") && i + 1 < lines.length) {
      i++;
      parts.push(withoutComment(lines[i] ?? ""));
    }
    const heredoc = HEREDOC.exec(parts.join("\n"))?.[2];
    if (heredoc) {
      // The body is taken verbatim, up to and including the delimiter line.
      while (i + 1 < lines.length) {
        i++;
        const body = lines[i] ?? "";
        parts.push(body);
        if (body.trim() === heredoc) break;
      }
    }
    out.push({ text: parts.join("\n"), line: firstLine + start });
  }
  return out;
}

/** Every ```sh block of a Markdown file, in order. */
export function shellBlocks(file: string, markdown = readFileSync(file, "utf8")): DocBlock[] {
  const lines = markdown.split("\n");
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)\s*$/.exec(lines[i] ?? "");
    if (!fence) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: a fenced block is never closed`);
    if (fence[1] === "sh" || fence[1] === "bash" || fence[1] === "shell") {
      const commands = splitCommands(lines.slice(i + 1, end), i + 2);
      const first = (commands[0]?.text.split("\n")[0] ?? "").trim();
      blocks.push({ file, line: i + 1, first, commands });
    }
    i = end;
  }
  return blocks;
}
