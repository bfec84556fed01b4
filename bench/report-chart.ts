/**
 * One line chart as a PNG: a Vega-Lite spec compiled to Vega, rendered to SVG
 * by Vega's headless view (no canvas, no browser), and rasterised by resvg.
 * All three are npm packages (resvg ships its binary as a per-platform npm
 * package), so this runs offline on Node 20.
 */
import { Resvg } from "@resvg/resvg-js";
import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** A named line of points. */
export interface Series {
  name: string;
  points: [number, number][];
}

/** What to draw. */
export interface LineChart {
  title: string;
  xTitle: string;
  yTitle: string;
  series: Series[];
  /** Log scale on x (latencies spanning orders of magnitude). */
  xLog?: boolean;
  /** Step after each point (counts that jump), instead of straight segments. */
  step?: boolean;
}

const WIDTH = 640;
const HEIGHT = 320;

/** The Vega-Lite spec of a chart (kept separate so a test can read it). */
export function chartSpec(c: LineChart): TopLevelSpec {
  const values = c.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!c.xLog || x > 0))
    .map(([x, y]) => ({ series: s.name, x, y })));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: c.title,
    width: WIDTH,
    height: HEIGHT,
    background: "white",
    data: { values },
    mark: { type: "line", interpolate: c.step ? "step-after" : "linear", strokeWidth: 2 },
    encoding: {
      x: { field: "x", type: "quantitative", title: c.xTitle, scale: c.xLog ? { type: "log" } : { zero: false } },
      y: { field: "y", type: "quantitative", title: c.yTitle },
      color: { field: "series", type: "nominal", title: null, legend: { orient: "bottom", columns: 3, labelLimit: 300 } },
    },
  };
}

/** Renders `c` to PNG bytes. */
export async function renderChart(c: LineChart): Promise<Buffer> {
  const view = new View(parse(compile(chartSpec(c)).spec), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    // Fonts come from the system (Debian's DejaVu here); without any, text is left out and the lines still draw.
    return new Resvg(svg, { fitTo: { mode: "zoom", value: 1.5 }, font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().asPng();
  } finally {
    view.finalize();
  }
}
