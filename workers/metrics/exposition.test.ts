import { describe, expect, it } from "vitest";
import type { MetricFamily } from "./definitions";
import { renderFamily } from "./exposition";
import { labelKey } from "./labels";
import { workqueueDepth } from "./metrics-route";

describe("the text exposition format", () => {
  it("escapes label values and writes counters as name{labels} value", () => {
    const family: MetricFamily = { name: "x_total", type: "counter", help: "Line one\nback\\slash" };
    const labels = labelKey([["a", 'say "hi"\\\n']]);
    expect(renderFamily(family, [{ name: "x_total", labels, value: 3 }], [])).toEqual([
      "# HELP x_total Line one\\nback\\\\slash",
      "# TYPE x_total counter",
      'x_total{a="say \\"hi\\"\\\\\\n"} 3',
    ]);
    expect(renderFamily({ ...family, type: "gauge" }, [{ name: "x_total", labels: "", value: 0.5 }], [])[2]).toBe("x_total 0.5");
  });

  it("writes a histogram as cumulative buckets ending at +Inf, with its sum and count", () => {
    const family: MetricFamily = { name: "h_seconds", type: "histogram", help: "h", buckets: [0.1, 1] };
    const lines = renderFamily(family, [], [{ name: "h_seconds", labels: 'verb="GET"', counts: [2, 1, 3], sum: 9.5 }]);
    expect(lines.slice(2)).toEqual([
      'h_seconds_bucket{verb="GET",le="0.1"} 2',
      'h_seconds_bucket{verb="GET",le="1"} 3',
      'h_seconds_bucket{verb="GET",le="+Inf"} 6',
      'h_seconds_sum{verb="GET"} 9.5',
      'h_seconds_count{verb="GET"} 6',
    ]);
  });

  it("derives each controller's queue depth from adds and completions, never below zero", () => {
    const a = labelKey([["name", "scheduler"]]);
    const b = labelKey([["name", "replicaset"]]);
    const depth = workqueueDepth([
      { name: "workqueue_adds_total", labels: a, value: 10 }, { name: "duraplane_workqueue_done_total", labels: a, value: 7 },
      { name: "workqueue_adds_total", labels: b, value: 2 }, { name: "duraplane_workqueue_done_total", labels: b, value: 5 },
    ]);
    expect(depth).toEqual([{ name: "workqueue_depth", labels: a, value: 3 }, { name: "workqueue_depth", labels: b, value: 0 }]);
  });
});
