/**
 * @module
 * A simulated container's log: bounded lines with their times (the
 * kubelet's CRI log file, rotated by size), read through cursors that pull
 * at the reader's pace, so a slow `kubectl logs -f` holds nothing but its
 * position; a reader that falls behind the rotation skips ahead, as one
 * reading a rotated file would.
 */
import { Readable } from "node:stream";
import type { LogOptions } from "../../shared/tunnel/frames.ts";

/** Lines kept per container run. */
export const MAX_LOG_LINES = 10_000;

interface Line {
  at: number;
  text: string;
}

/** One run's log of one container. */
export class ContainerLog {
  private readonly lines: Line[] = [];
  /** Sequence number of lines[0]. */
  private first = 0;
  private readonly waiters = new Set<() => void>();
  ended = false;

  constructor(private readonly max = MAX_LOG_LINES) {}

  /** The sequence number the next line gets. */
  get end(): number {
    return this.first + this.lines.length;
  }

  /** The first sequence number still kept. */
  get start(): number {
    return this.first;
  }

  append(text: string, at = Date.now()): void {
    if (this.ended) return;
    this.lines.push({ at, text });
    if (this.lines.length > this.max) {
      this.lines.shift();
      this.first++;
    }
    this.wake();
  }

  /** No more lines: this run is over. */
  close(): void {
    this.ended = true;
    this.wake();
  }

  line(seq: number): Line | undefined {
    return this.lines[seq - this.first];
  }

  /** Resolves at the next line or the end. */
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** The first kept line at or after `ms`. */
  seqSince(ms: number): number {
    const i = this.lines.findIndex((l) => l.at >= ms);
    return i < 0 ? this.end : this.first + i;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
    this.waiters.clear();
  }
}

/** metav1.Time with nanoseconds, as the kubelet prefixes lines with --timestamps. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

/**
 * Reads a log per PodLogOptions: from `sinceSeconds`/`sinceTime`, the last
 * `tailLines`, with `timestamps`, at most `limitBytes`, following new lines
 * until the run ends when `follow` (a reader that stops reading is not fed).
 */
export function readLog(log: ContainerLog, options: LogOptions, now = Date.now()): Readable {
  let seq = log.start;
  const since = options.sinceSeconds !== undefined ? now - options.sinceSeconds * 1000
    : options.sinceTime !== undefined ? Date.parse(options.sinceTime) : undefined;
  if (since !== undefined) seq = log.seqSince(since);
  if (options.tailLines !== undefined) seq = Math.max(seq, log.end - options.tailLines);
  let left = options.limitBytes ?? Number.POSITIVE_INFINITY;
  let stopped = false;
  return new Readable({
    highWaterMark: 16 * 1024,
    read() {
      void (async () => {
        for (;;) {
          if (stopped) return;
          if (seq < log.start) seq = log.start; // rotated past us
          const line = log.line(seq);
          if (line) {
            seq++;
            let bytes = Buffer.from(`${options.timestamps ? `${rfc3339Nano(line.at)} ` : ""}${line.text}\n`);
            if (bytes.byteLength > left) bytes = bytes.subarray(0, left);
            left -= bytes.byteLength;
            const more = this.push(bytes);
            if (left <= 0) {
              stopped = true;
              this.push(null);
              return;
            }
            if (!more) return;
            continue;
          }
          if (!options.follow || log.ended) {
            stopped = true;
            this.push(null);
            return;
          }
          await log.next();
        }
      })();
    },
    destroy(err, cb) {
      stopped = true;
      cb(err);
    },
  });
}
