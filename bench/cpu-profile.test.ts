import { describe, it } from "vitest";
import { type CpuProfile, formatTable, location, sampleDurations, summarize, topFunctions, typicalInterval } from "./cpu-profile.ts";

const frame = (functionName: string, lineNumber = 0, url = "file:///b/index.js") => ({ functionName, scriptId: "1", url, lineNumber, columnNumber: 0 });

/**
 * (root) ─┬─ main ── work ── work (recursion) ── leaf
 *         │          └─ leaf
 *         ├─ (idle)
 *         ├─ (program)
 *         └─ (garbage collector)
 */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)", -1, ""), children: [2, 7, 8, 9] },
    { id: 2, callFrame: frame("main", 9), children: [3] },
    { id: 3, callFrame: frame("work", 19), children: [4, 6] },
    { id: 4, callFrame: frame("work", 19), children: [5] },
    { id: 5, callFrame: frame("leaf", 29) },
    { id: 6, callFrame: frame("leaf", 29) },
    { id: 7, callFrame: frame("(idle)", -1, "") },
    { id: 8, callFrame: frame("(program)", -1, "") },
    { id: 9, callFrame: frame("(garbage collector)", -1, "") },
  ],
  startTime: 1000,
  endTime: 1000 + 100 + 100 + 200 + 100 + 300 + 50 + 400 + 25,
  // Each sample lasts until the next one; the last one until endTime (25 µs).
  samples: [5, 5, 6, 4, 3, 7, 8, 9],
  timeDeltas: [0, 100, 100, 200, 100, 300, 50, 400],
};

describe("cpu-profile", () => {
  it("gives each sample the time until the next one, the last one until the end", ({ expect }) => {
    // The typical interval is the median gap, 100 µs; uncapped, each sample lasts until the next.
    expect(typicalInterval(profile)).toBe(100);
    expect(sampleDurations(profile, Infinity)).toEqual([100, 100, 200, 100, 300, 50, 400, 25]);
  });

  it("caps a gap in the samples (the isolate was not running) at three typical intervals", ({ expect }) => {
    expect(sampleDurations(profile)).toEqual([100, 100, 200, 100, 300, 50, 300, 25]);
    expect(summarize(profile).totals.programUs).toBe(300);
  });

  it("sums self time per function across its nodes and keeps the meta functions apart", ({ expect }) => {
    const { totals, functions } = summarize(profile, Infinity);
    expect(totals).toEqual({ busyUs: 800, idleUs: 50, programUs: 400, gcUs: 25, samples: 8 });
    const byName = new Map(functions.map((f) => [f.functionName, f]));
    expect(byName.get("leaf")?.selfUs).toBe(400);
    expect(byName.get("work")?.selfUs).toBe(400);
    expect(byName.get("main")?.selfUs).toBe(0);
    expect(byName.get("leaf")?.line).toBe(30);
    expect(functions.some((f) => f.functionName.startsWith("("))).toBe(false);
  });

  it("counts a recursive function once per sample in its total time", ({ expect }) => {
    const byName = new Map(summarize(profile, Infinity).functions.map((f) => [f.functionName, f]));
    // Every busy sample is under work: 100 + 100 + 200 + 100 + 300 = 800; counting each frame of the
    // recursion would give 1,100 (the 400 µs under the inner work twice).
    expect(byName.get("work")?.totalUs).toBe(800);
    expect(byName.get("main")?.totalUs).toBe(800);
    expect(byName.get("leaf")?.totalUs).toBe(400);
  });

  it("ranks and formats the top functions", ({ expect }) => {
    const { totals, functions } = summarize(profile, Infinity);
    const top = topFunctions(functions, "selfUs", 10);
    // leaf and work tie at 400 µs: the order falls back to the name.
    expect(top.map((f) => f.functionName)).toEqual(["leaf", "work"]);
    expect(topFunctions(functions, "totalUs", 1).map((f) => f.functionName)).toEqual(["main"]);
    const [first] = top;
    expect(first && location(first)).toBe("b/index.js:30");
    expect(formatTable(top, "selfUs", totals.busyUs)).toContain("| 1 | leaf | b/index.js:30 | 0.4 | 50.0 |");
  });

  it("tells apart functions of the same name on different lines", ({ expect }) => {
    const twoHandlers: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame("(root)", -1, ""), children: [2, 3] },
        { id: 2, callFrame: frame("handle", 1) },
        { id: 3, callFrame: frame("handle", 50) },
      ],
      startTime: 0, endTime: 30, samples: [2, 3], timeDeltas: [0, 10],
    };
    const fns = summarize(twoHandlers, Infinity).functions.filter((f) => f.functionName === "handle");
    expect(fns.map((f) => [f.line, f.selfUs]).sort()).toEqual([[2, 10], [51, 20]]);
  });
});
