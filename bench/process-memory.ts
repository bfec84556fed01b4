/**
 * Resident memory of a process tree, read from /proc (Linux only): the
 * benches use it to weigh the local server's workerd processes, which run
 * under `npm start` but in wrangler's own process group, so the tree is
 * walked by parent pid rather than by group.
 */
import { readdirSync, readFileSync } from "node:fs";

/** One process of the tree. */
export interface ProcessRss {
  pid: number;
  command: string;
  /** The command line, arguments joined by spaces. */
  args: string;
  rssKiB: number;
}

/** The resident memory of a tree, split into workerd processes and the rest. */
export interface TreeMemory {
  /** Sum of VmRSS over every workerd process under the root (shared pages count once per process). */
  workerdMiB: number;
  /** Sum of VmRSS over the whole tree, the root included (npm, tsx, wrangler's node, workerd…). */
  treeMiB: number;
  processes: ProcessRss[];
}

/** `pid` → (command, parent pid), from /proc/<pid>/stat; undefined if it vanished meanwhile. */
function statOf(pid: number): { command: string; ppid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command sits in parentheses and may itself hold spaces or ')', so
  // split around the last ')': the fields after it are state, ppid, ….
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const ppid = Number(text.slice(close + 2).split(" ")[1]);
  return Number.isInteger(ppid) ? { command: text.slice(open + 1, close), ppid } : undefined;
}

function argsOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

function rssKiBOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Every live process under `root` (included), with its resident memory. */
export function processTree(root: number): ProcessRss[] {
  const children = new Map<number, number[]>();
  const commands = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = statOf(pid);
    if (!stat) continue;
    commands.set(pid, stat.command);
    const siblings = children.get(stat.ppid) ?? [];
    siblings.push(pid);
    children.set(stat.ppid, siblings);
  }
  const out: ProcessRss[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const command = commands.get(pid);
    if (command === undefined) continue;
    out.push({ pid, command, args: argsOf(pid), rssKiB: rssKiBOf(pid) });
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** The resident memory of the tree under `root`, workerd processes apart. */
export function treeMemory(root: number): TreeMemory {
  const processes = processTree(root);
  const sum = (ps: ProcessRss[]) => ps.reduce((n, p) => n + p.rssKiB, 0) / 1024;
  return {
    workerdMiB: sum(processes.filter((p) => p.command === "workerd")),
    treeMiB: sum(processes),
    processes,
  };
}
