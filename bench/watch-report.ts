/**
 * The watch bench's figures for one phase (W watchers while one writer
 * creates pods), computed from what the writer and the streams recorded,
 * and the Markdown table that bench/README.md quotes.
 */
import { percentile, percentileLadder } from "./load.ts";
import type { TreeMemory } from "./process-memory.ts";
import type { WatchStream } from "./watch-stream.ts";
import type { WriteRecord } from "./writer-process.ts";

/** Resident memory at one moment, in MiB. */
export interface MemorySample {
  workerdMiB: number;
  treeMiB: number;
  /**
   * Each workerd process: `proxy` is wrangler's dev proxy, the one listening
   * on the server's port; `runtime` runs the Worker and its Durable Objects.
   */
  workerd: { pid: number; role: "proxy" | "runtime"; rssMiB: number }[];
}

/** Everything measured in one phase. */
export interface PhaseReport {
  watchers: number;
  /** Streams that got response headers. */
  established: number;
  /** ms from the first watch request to the last stream's headers. */
  openMs: number;
  /** Distinct reasons streams failed to open or ended before the bench closed them, with counts. */
  streamErrors: Record<string, number>;
  endedEarly: number;
  /** Each create's request start → its response's last byte. */
  writes: { count: number; wallMs: number; p50Ms: number; p99Ms: number; maxMs: number; cdfMs: number[] };
  /** This phase's write p50/p99 ÷ the floor's (the first W=0 phase); null without one. */
  vsFloor: { p50: number; p99: number } | null;
  /**
   * Event received by a watcher − the write's request start, over every
   * (stream, write) that arrived; null with no watchers. Timed from the
   * request's start because the event reaches the watchers before the
   * write's own answer ends (the commit answers after the fan-out), so it is
   * never negative; it includes the write's path up to its commit.
   */
  delivery: { p50Ms: number; p99Ms: number; maxMs: number; minMs: number; cdfMs: number[] } | null;
  events: {
    /** watchers × writes. */
    expected: number;
    received: number;
    missing: number;
    duplicates: number;
    /** Events for resourceVersions the writer did not write, and lines that were not ADDED events. */
    unexpected: number;
    unexpectedSample: string[];
    /** Streams that lack at least one event. */
    streamsMissingEvents: number;
  };
  /**
   * Streams the bench closed in earlier phases of the run. The server does
   * not notice a watch client going away (see bench/README.md), so it still
   * feeds up to this many abandoned streams during this phase.
   */
  closedEarlier: number;
  /** ms the bench waited after the last ack for the streams to catch up. */
  drainMs: number;
  memory: { before: MemorySample; open: MemorySample; after: MemorySample };
}

/** A memory reading of the server listening on `port`. */
export function sampleOf(m: TreeMemory, port: number): MemorySample {
  const workerd = m.processes
    .filter((p) => p.command === "workerd")
    .map((p) => ({
      pid: p.pid,
      role: p.args.includes(`--socket-addr=entry=127.0.0.1:${port} `) ? "proxy" as const : "runtime" as const,
      rssMiB: p.rssKiB / 1024,
    }));
  return { workerdMiB: m.workerdMiB, treeMiB: m.treeMiB, workerd };
}

/** "proxy 120 + runtime 300": the workerd processes of a reading. */
export function byRole(m: MemorySample): string {
  return m.workerd.map((p) => `${p.role} ${p.rssMiB.toFixed(0)}`).join(" + ");
}

const ms = (ns: bigint): number => Number(ns) / 1e6;

/** Builds a phase's report; `floor` is the earlier W=0 report, if any. */
export function phaseReport(input: {
  watchers: number;
  streams: WatchStream[];
  openMs: number;
  closedEarlier: number;
  writes: WriteRecord[];
  drainMs: number;
  memory: PhaseReport["memory"];
  floor: PhaseReport | undefined;
}): PhaseReport {
  const { streams, writes } = input;
  const latencies = writes.map((w) => ms(w.ackNs - w.startNs)).sort((a, b) => a - b);
  const first = writes[0];
  const last = writes[writes.length - 1];
  const writeStats = {
    count: writes.length,
    wallMs: first && last ? ms(last.ackNs - first.startNs) : 0,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
    cdfMs: percentileLadder(latencies),
  };
  const sentByRv = new Map(writes.map((w) => [w.rv, w.startNs]));
  const delivery: number[] = [];
  const streamErrors: Record<string, number> = {};
  const unexpectedSample: string[] = [];
  let unexpected = 0;
  let duplicates = 0;
  let streamsMissingEvents = 0;
  for (const s of streams) {
    if (s.error !== undefined) streamErrors[s.error] = (streamErrors[s.error] ?? 0) + 1;
    duplicates += s.duplicates;
    unexpected += s.unexpected;
    for (const line of s.unexpectedLines) if (unexpectedSample.length < 5) unexpectedSample.push(line);
    let got = 0;
    for (const [rv, at] of s.received) {
      const sent = sentByRv.get(rv);
      if (sent === undefined) {
        unexpected++;
        if (unexpectedSample.length < 5) unexpectedSample.push(`ADDED rv ${rv}, not one of the measured writes`);
        continue;
      }
      got++;
      delivery.push(ms(at - sent));
    }
    if (got < writes.length) streamsMissingEvents++;
  }
  delivery.sort((a, b) => a - b);
  const expected = input.watchers * writes.length;
  const floor = input.floor;
  return {
    watchers: input.watchers,
    established: streams.filter((s) => s.state !== "failed").length,
    openMs: input.openMs,
    streamErrors,
    endedEarly: streams.filter((s) => s.state === "ended").length,
    writes: writeStats,
    vsFloor: floor ? { p50: writeStats.p50Ms / floor.writes.p50Ms, p99: writeStats.p99Ms / floor.writes.p99Ms } : null,
    delivery: delivery.length === 0 ? null : {
      p50Ms: percentile(delivery, 50),
      p99Ms: percentile(delivery, 99),
      maxMs: delivery[delivery.length - 1] ?? Number.NaN,
      minMs: delivery[0] ?? Number.NaN,
      cdfMs: percentileLadder(delivery),
    },
    events: {
      expected,
      received: delivery.length,
      missing: expected - delivery.length,
      duplicates,
      unexpected,
      unexpectedSample,
      streamsMissingEvents: streamsMissingEvents + (input.watchers - streams.length),
    },
    closedEarlier: input.closedEarlier,
    drainMs: input.drainMs,
    memory: input.memory,
  };
}

/** Whether a phase lost, duplicated or mangled anything (the run then fails). */
export function phaseFailed(r: PhaseReport): boolean {
  return r.events.missing !== 0 || r.events.duplicates !== 0 || r.events.unexpected !== 0 ||
    r.established !== r.watchers || r.endedEarly !== 0;
}

/** The Markdown table of a run. */
export function table(reports: PhaseReport[]): string {
  const head = [
    "watchers", "streams open", "write p50 ms (sent → answered)", "write p99 ms", "p50 ÷ floor", "p99 ÷ floor",
    "delivery p50 ms (write sent → event)", "delivery p99 ms", "delivery max ms", "events received / expected", "workerd RSS MiB before → after",
  ];
  const f1 = (n: number) => n.toFixed(1);
  const rows = reports.map((r) => [
    String(r.watchers),
    `${r.established}/${r.watchers}`,
    f1(r.writes.p50Ms),
    f1(r.writes.p99Ms),
    r.vsFloor && r.watchers > 0 ? r.vsFloor.p50.toFixed(2) : "",
    r.vsFloor && r.watchers > 0 ? r.vsFloor.p99.toFixed(2) : "",
    r.delivery ? f1(r.delivery.p50Ms) : "",
    r.delivery ? f1(r.delivery.p99Ms) : "",
    r.delivery ? f1(r.delivery.maxMs) : "",
    `${r.events.received} / ${r.events.expected}${phaseFailed(r) ? " **FAILED**" : ""}`,
    `${r.memory.before.workerdMiB.toFixed(0)} → ${r.memory.after.workerdMiB.toFixed(0)}`,
  ]);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}
