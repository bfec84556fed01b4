/**
 * The report writer on recorded results (bench/report-fixtures/: one short
 * `npm run bench -- --short` run of every suite, as the suites wrote them):
 * the table has each figure beside its floor and their ratio, and the charts
 * are real PNG files. Also: watch delivery is timed from the write's start.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { newestResults, writeReport } from "./report-writer.ts";
import { READERS, ratioOf } from "./report-rows.ts";
import { phaseReport } from "./watch-report.ts";
import { WatchStream } from "./watch-stream.ts";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "report-fixtures");
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const dirs: string[] = [];
const scratch = (): string => {
  const d = mkdtempSync(join(tmpdir(), "duraplane-report-test-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A table row's cells, by its suite and figure. */
function rowOf(md: string, suite: string, figure: string): string[] | undefined {
  return md.split("\n").filter((l) => l.startsWith("| ")).map((l) => l.slice(2, -2).split(" | "))
    .find((cells) => cells[0] === suite && cells[1] === figure);
}

describe("writeReport on a recorded short run", () => {
  it("writes one table: each figure, its floor from the same run, the ratio, and what it measures", async () => {
    const out = scratch();
    const written = await writeReport({ resultsDir: FIXTURES, outDir: out });
    const md = readFileSync(written.reportPath, "utf8");
    expect(md).toContain("| suite | figure | value | floor (same run) | ratio | measures, from → to | the floor is |");
    expect(md).toContain("**Short run**");
    // Every suite the issue names has rows, each with a floor and a ratio that is value ÷ floor.
    for (const suite of ["writes", "watch", "converge", "fleet", "list"]) {
      expect(written.rows.filter((r) => r.suite === suite).length, suite).toBeGreaterThan(0);
    }
    for (const r of written.rows) {
      expect(r.measures, `${r.suite} ${r.figure}`).toMatch(/→|counted|profile/);
      expect(r.floor, `${r.suite} ${r.figure} has no floor`).toBeDefined();
    }
    const list = written.rows.find((r) => r.suite === "list" && r.figure.startsWith("selector") && r.figure.endsWith("p99"));
    expect(list).toBeDefined();
    if (!list) return;
    const cells = rowOf(md, "list", list.figure);
    expect(cells).toBeDefined();
    const [value, floor, ratio] = [cells?.[2], cells?.[3], cells?.[4]].map((c) => Number.parseFloat(c ?? ""));
    expect(value).toBeCloseTo(list.value, 0);
    expect(floor).toBeCloseTo(list.floor ?? Number.NaN, 0);
    expect(ratio).toBeCloseTo(ratioOf(list) ?? Number.NaN, 1);
    expect(ratio).toBeCloseTo((value ?? 0) / (floor ?? 1), 0);
    // No latency in the table is negative (watch delivery used to be).
    for (const r of written.rows.filter((x) => x.unit === "ms" || x.unit === "s")) expect(r.value, `${r.suite} ${r.figure}`).toBeGreaterThanOrEqual(0);
  });

  it("renders the latency distributions and converge curves as PNG files linked from the report", async () => {
    const out = scratch();
    const written = await writeReport({ resultsDir: FIXTURES, outDir: out, chartsDir: "charts" });
    const md = readFileSync(written.reportPath, "utf8");
    const files = written.charts.map((c) => c.replace(/^charts\//, ""));
    expect(files).toEqual(expect.arrayContaining(["writes-latency.png", "watch-latency.png", "list-latency.png", "converge-curves.png", "fleet-latency.png", "fleet-converge.png"]));
    for (const chart of written.charts) {
      expect(md).toContain(`](${chart})`);
      const png = readFileSync(join(out, chart));
      expect(png.length, chart).toBeGreaterThan(5000);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE), chart).toBe(true);
      // IHDR: width and height, big-endian, right after the signature and the chunk header.
      expect(png.readUInt32BE(16)).toBeGreaterThan(500);
      expect(png.readUInt32BE(20)).toBeGreaterThan(300);
    }
  });

  it("reads each suite's newest results and no other suite's", () => {
    const dir = scratch();
    cpSync(FIXTURES, dir, { recursive: true });
    const fleet = newestResults(dir, "fleet");
    writeFileSync(join(dir, "fleet-real-2999-01-01T00-00-00-000Z.json"), "{}");
    writeFileSync(join(dir, "fleet-1999-01-01T00-00-00-000Z.json"), "{}");
    expect(newestResults(dir, "fleet")).toBe(fleet);
    writeFileSync(join(dir, "fleet-2999-01-01T00-00-00-000Z.json"), "{}");
    expect(newestResults(dir, "fleet")).toBe("fleet-2999-01-01T00-00-00-000Z.json");
    expect(newestResults(dir, "nothing")).toBeUndefined();
  });

  it("leaves out watch delivery from results timed the old way (from the answer)", () => {
    const old = { reports: [{ watchers: 0, writes: { p50Ms: 20, p99Ms: 30 } }, { watchers: 10, writes: { p50Ms: 25, p99Ms: 40 }, delivery: { p50Ms: -3, p99Ms: 5 } }] };
    const figures = (READERS.watch?.(old) ?? []).map((r) => r.figure);
    expect(figures).toContain("create p50, 10 watchers");
    expect(figures.some((f) => f.startsWith("delivery"))).toBe(false);
    const marked = (READERS.watch?.({ ...old, deliveryFrom: "request start" }) ?? []).map((r) => r.figure);
    expect(marked).toContain("delivery p50, 10 watchers");
  });
});

describe("watch delivery", () => {
  it("is timed from the write's request start, so an event that beats the write's answer is still positive", () => {
    const ms = 1_000_000n;
    const stream = new WatchStream();
    stream.state = "closed";
    // The event arrives 20 ms after the write was sent, 30 ms before its answer ended.
    stream.received.set(7, 1000n * ms + 20n * ms);
    const r = phaseReport({
      watchers: 1, streams: [stream], openMs: 0, closedEarlier: 0, drainMs: 0,
      writes: [{ rv: 7, startNs: 1000n * ms, ackNs: 1050n * ms }],
      memory: { before: { workerdMiB: 0, treeMiB: 0, workerd: [] }, open: { workerdMiB: 0, treeMiB: 0, workerd: [] }, after: { workerdMiB: 0, treeMiB: 0, workerd: [] } },
      floor: undefined,
    });
    expect(r.writes.p50Ms).toBeCloseTo(50);
    expect(r.delivery?.p50Ms).toBeCloseTo(20);
    expect(r.delivery?.minMs).toBeGreaterThanOrEqual(0);
    expect(r.events).toMatchObject({ expected: 1, received: 1, missing: 0 });
  });
});
