/**
 * @module
 * The fleet's metrics store: one Durable Object that sums the deltas every
 * isolate flushes (flush.ts). Counters and histograms are kept in SQLite, so
 * they survive isolate restarts and a restart of this object; each isolate's
 * gauges are kept as its last reported value and summed over the isolates
 * heard from lately (a vanished isolate's values drop out).
 */
import { DurableObject } from "cloudflare:workers";
import { migrate } from "../objects/sql-migrations";
import type { MetricsDelta } from "./accumulator";
import { FLUSH_INTERVAL_MS } from "./flush";

const MIGRATIONS = [
  `CREATE TABLE counters (name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (name, labels));
   CREATE TABLE histograms (name TEXT NOT NULL, labels TEXT NOT NULL, counts TEXT NOT NULL, sum REAL NOT NULL,
     PRIMARY KEY (name, labels));
   CREATE TABLE isolate_gauges (isolate TEXT NOT NULL, name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL,
     at INTEGER NOT NULL, PRIMARY KEY (isolate, name, labels));`,
];

/** An isolate's gauges count until it has not flushed for this long (it flushes whenever they change). */
export const ISOLATE_GAUGE_TTL_MS = 6 * FLUSH_INTERVAL_MS;

/** One summed series. */
export interface SeriesRow {
  name: string;
  labels: string;
  value: number;
}

/** One summed histogram series: per-bucket counts (the last is +Inf) and the sum. */
export interface HistogramRow {
  name: string;
  labels: string;
  counts: number[];
  sum: number;
}

/** What a scrape reads. */
export interface FleetSnapshot {
  counters: SeriesRow[];
  histograms: HistogramRow[];
  gauges: SeriesRow[];
}

/** The fleet-wide sum of every isolate's flushed metrics. */
export class FleetMetrics extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => migrate(this.sql, MIGRATIONS));
  }

  /** Adds one isolate's delta, in one transaction. */
  async add(delta: MetricsDelta): Promise<void> {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (const [name, labels, by] of delta.counters) {
        this.sql.exec(
          "INSERT INTO counters (name, labels, value) VALUES (?, ?, ?) ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value",
          name, labels, by,
        );
      }
      for (const [name, labels, counts, sum] of delta.histograms) this.addHistogram(name, labels, counts, sum);
      for (const [name, labels, value] of delta.gauges) {
        this.sql.exec(
          "INSERT INTO isolate_gauges (isolate, name, labels, value, at) VALUES (?, ?, ?, ?, ?) " +
            "ON CONFLICT (isolate, name, labels) DO UPDATE SET value = excluded.value, at = excluded.at",
          delta.isolate, name, labels, value, now,
        );
      }
      this.sql.exec("DELETE FROM isolate_gauges WHERE at < ?", now - ISOLATE_GAUGE_TTL_MS);
    });
  }

  private addHistogram(name: string, labels: string, counts: number[], sum: number): void {
    const row = this.sql
      .exec<{ counts: string; sum: number }>("SELECT counts, sum FROM histograms WHERE name = ? AND labels = ?", name, labels)
      .toArray()[0];
    const known = row ? (JSON.parse(row.counts) as number[]) : undefined;
    // Buckets that changed with a new version of the code start the series afresh (a counter reset to Prometheus).
    const merged = known && known.length === counts.length ? known.map((n, i) => n + (counts[i] ?? 0)) : counts;
    const total = known && known.length === counts.length && row ? row.sum + sum : sum;
    this.sql.exec(
      "INSERT INTO histograms (name, labels, counts, sum) VALUES (?, ?, ?, ?) ON CONFLICT (name, labels) DO UPDATE SET counts = excluded.counts, sum = excluded.sum",
      name, labels, JSON.stringify(merged), total,
    );
  }

  /** Every summed series, and each gauge summed over the isolates heard from within the TTL. */
  async snapshot(): Promise<FleetSnapshot> {
    const since = Date.now() - ISOLATE_GAUGE_TTL_MS;
    const counters = this.sql.exec<{ name: string; labels: string; value: number }>("SELECT name, labels, value FROM counters").toArray();
    const histograms = this.sql
      .exec<{ name: string; labels: string; counts: string; sum: number }>("SELECT name, labels, counts, sum FROM histograms")
      .toArray()
      .map((r) => ({ name: r.name, labels: r.labels, counts: JSON.parse(r.counts) as number[], sum: r.sum }));
    const gauges = this.sql
      .exec<{ name: string; labels: string; value: number }>(
        "SELECT name, labels, SUM(value) AS value FROM isolate_gauges WHERE at >= ? GROUP BY name, labels", since,
      )
      .toArray();
    return {
      counters: counters.map((r) => ({ name: r.name, labels: r.labels, value: r.value })),
      histograms,
      gauges: gauges.map((r) => ({ name: r.name, labels: r.labels, value: r.value })),
    };
  }
}
