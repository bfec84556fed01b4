/**
 * Maps positions in the bundled Worker (`index.js`, what the profiler sees)
 * back to the sources through the bundle's source map (version 3, no
 * sections: what wrangler's esbuild writes), so the profile tables name
 * `workers/objects/client.ts:40` instead of `index.js:40932`.
 */
import { existsSync, readFileSync } from "node:fs";
import type { CpuProfile } from "./cpu-profile.ts";

/** One mapped position: generated column → source index and 0-based line. */
interface Segment {
  col: number;
  source: number;
  line: number;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** Decodes one segment's base64 VLQ fields. */
function decodeVlq(text: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of text) {
    const d = DIGIT.get(c) ?? 0;
    value += (d & 31) << shift;
    if (d & 32) {
      shift += 5;
      continue;
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return out;
}

/** A loaded source map: `lookup` finds the source position of a generated one. */
export class SourceMap {
  private constructor(private readonly sources: string[], private readonly lines: Segment[][]) {}

  /** Reads `<bundle>.map`; undefined when there is none or it is not a plain v3 map. */
  static forBundle(bundle: string): SourceMap | undefined {
    const file = `${bundle}.map`;
    if (!existsSync(file)) return undefined;
    const raw: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof raw !== "object" || raw === null || !("mappings" in raw) || typeof raw.mappings !== "string" || !("sources" in raw) || !Array.isArray(raw.sources)) return undefined;
    const sources = raw.sources.map((s) => String(s));
    // Fields after the first are relative to the previous segment's, across lines (except the column).
    let source = 0;
    let line = 0;
    const lines = raw.mappings.split(";").map((group) => {
      let col = 0;
      const segs: Segment[] = [];
      for (const seg of group.split(",")) {
        if (seg === "") continue;
        const f = decodeVlq(seg);
        col += f[0] ?? 0;
        if (f.length < 4) continue;
        source += f[1] ?? 0;
        line += f[2] ?? 0;
        segs.push({ col, source, line });
      }
      return segs;
    });
    return new SourceMap(sources, lines);
  }

  /** The source file (shortened to the path inside the repository) and 0-based line of a 0-based generated position. */
  lookup(line: number, col: number): { url: string; line: number } | undefined {
    const segs = this.lines[line];
    if (!segs || segs.length === 0) return undefined;
    let best: Segment | undefined;
    for (const s of segs) {
      if (s.col > col) break;
      best = s;
    }
    best ??= segs[0];
    if (!best) return undefined;
    const src = this.sources[best.source] ?? "?";
    return { url: shorten(src), line: best.line };
  }
}

/** `../../work/main/workers/x.ts` → `workers/x.ts`; a dependency → `node_modules/<its path>`. */
function shorten(src: string): string {
  const nm = src.lastIndexOf("node_modules/");
  if (nm >= 0) return src.slice(nm);
  const m = /(?:^|\/)((?:workers|shared|agent|scripts)\/.*)$/.exec(src);
  return m?.[1] ?? src.replace(/^(\.\.\/)+/, "");
}

/**
 * A copy of `profile` whose call frames in `bundleUrl` point at the sources
 * (url and line of the function's start); other frames are left as they are.
 */
export function remapProfile(profile: CpuProfile, map: SourceMap, bundleUrl = "index.js"): CpuProfile {
  return {
    ...profile,
    nodes: profile.nodes.map((n) => {
      if (n.callFrame.url !== bundleUrl || n.callFrame.lineNumber < 0) return n;
      const to = map.lookup(n.callFrame.lineNumber, n.callFrame.columnNumber);
      return to ? { ...n, callFrame: { ...n.callFrame, url: to.url, lineNumber: to.line } } : n;
    }),
  };
}
