/**
 * @module
 * libvirt's domain events, as a long-lived `virsh event --all --loop
 * --timestamp`: each line names a domain, and is only a trigger — the
 * adapter re-reads that domain's state, as virt-launcher's event callbacks
 * do. The child is restarted (after a second) when it dies, and every
 * (re)start is announced so the adapter can resync what it may have missed.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import type { Virsh } from "./virsh.ts";

/** One event line: `2026-12-03 07:33:24.265+0000: event 'lifecycle' for domain 'x': Stopped Failed`. */
export interface DomainEvent {
  type: string;
  domain: string;
  detail: string;
}

/** Parses one line of `virsh event --timestamp` output (undefined for other lines). */
export function parseEventLine(line: string): DomainEvent | undefined {
  const m = /event '([\w-]+)' for domain '(.*?)'(?::\s*(.*))?$/.exec(line.trim());
  return m ? { type: m[1] ?? "", domain: m[2] ?? "", detail: m[3] ?? "" } : undefined;
}

/** Follows libvirt's event stream until `close`. */
export class DomainEventStream {
  private child?: ChildProcessWithoutNullStreams;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly virsh: Virsh,
    private readonly onEvent: (event: DomainEvent) => void,
    /** Called after every (re)start: events may have been missed meanwhile. */
    private readonly onRestart: (why: string) => void,
    private readonly restartDelayMs = 1000,
  ) {}

  start(): void {
    if (this.closed) return;
    const child = this.virsh.spawn(["event", "--all", "--loop", "--timestamp"]);
    this.child = child;
    child.stdin.end();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const event = parseEventLine(line);
      if (event) this.onEvent(event);
    });
    const ended = (why: string): void => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.closed) return;
      this.timer = setTimeout(() => {
        this.start();
        this.onRestart(why);
      }, this.restartDelayMs);
    };
    child.on("error", (err) => ended(err.message));
    child.on("close", (code) => ended(`virsh event exited ${code}: ${stderr.trim()}`));
  }

  /** The running child's pid (tests kill it to prove the restart). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.child?.kill("SIGTERM");
    this.child = undefined;
  }
}
