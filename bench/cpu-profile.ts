/**
 * Pure functions over a V8 CPU profile (the `Profiler.Profile` of the Chrome
 * DevTools protocol, the same JSON as a `.cpuprofile` file): time per sample,
 * self and total time per function, and the top-N tables bench/profile prints.
 */

/** Where a profile node's code is (CDP `Runtime.CallFrame`; lines and columns are 0-based). */
export interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** One node of the call tree (CDP `Profiler.ProfileNode`). */
export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

/** A recorded profile (CDP `Profiler.Profile`); times in microseconds. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  /** The node id on top of the stack at each sample. */
  samples?: number[];
  /** Microseconds from the previous sample (the first: from startTime) to each sample. */
  timeDeltas?: number[];
}

/** V8's pseudo-functions: not code of ours, reported apart from the tables. */
export const META_FUNCTIONS = ["(root)", "(idle)", "(program)", "(garbage collector)"] as const;

/** The time of one function, summed over every node of it in the tree. */
export interface FunctionTime {
  /** functionName, url and 1-based line: what tells two functions apart. */
  key: string;
  functionName: string;
  url: string;
  /** 1-based, as editors and DevTools show it. */
  line: number;
  /** Microseconds sampled with this function on top of the stack. */
  selfUs: number;
  /** Microseconds sampled with this function anywhere on the stack (once per sample, whatever the recursion). */
  totalUs: number;
}

/** The whole profile in four numbers, in microseconds. */
export interface ProfileTotals {
  /** Sampled time in JavaScript and the runtime's calls from it: everything but the three below. */
  busyUs: number;
  idleUs: number;
  programUs: number;
  gcUs: number;
  samples: number;
}

/** What the whole analysis gives. */
export interface ProfileSummary {
  totals: ProfileTotals;
  /** Every function but the meta ones, in no particular order. */
  functions: FunctionTime[];
}

function keyOf(f: CallFrame): string {
  return `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}`;
}

/** A sample never stands for more than this many typical sampling intervals (see `sampleDurations`). */
export const GAP_CAP_INTERVALS = 3;

/** The median gap between consecutive samples, in µs: the interval the sampler really kept. */
export function typicalInterval(profile: CpuProfile): number {
  const gaps = (profile.timeDeltas ?? []).slice(1).filter((d) => d > 0).sort((a, b) => a - b);
  return gaps[Math.floor((gaps.length - 1) / 2)] ?? 0;
}

/**
 * The duration of each sample in microseconds: as DevTools counts it, from
 * this sample to the next one (the last one until the profile's end), but at
 * most `capUs` (default GAP_CAP_INTERVALS × the typical interval). V8 takes
 * no sample while the isolate is not locked by its thread, and workerd
 * unlocks it whenever the Worker waits (I/O, another isolate of the same
 * process, the event loop): a gap of tens of ms after a sample is time the
 * Worker did not run, and DevTools' rule would bill all of it to whatever was
 * sampled last (measured: 8× the self time of a function that starts an RPC).
 */
export function sampleDurations(profile: CpuProfile, capUs = GAP_CAP_INTERVALS * typicalInterval(profile)): number[] {
  const deltas = profile.timeDeltas ?? [];
  const n = Math.min(profile.samples?.length ?? 0, deltas.length);
  const stamps: number[] = [];
  let t = profile.startTime;
  for (let i = 0; i < n; i++) {
    t += deltas[i] ?? 0;
    stamps.push(t);
  }
  return stamps.map((s, i) => Math.min(capUs, Math.max(0, (stamps[i + 1] ?? Math.max(profile.endTime, s)) - s)));
}

/**
 * For each node id, the distinct function keys on its stack (itself and its
 * ancestors): the functions one sample at that node is billed to in total time.
 */
function stackKeys(profile: CpuProfile): Map<number, string[]> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, string[]>();
  const visit = (id: number): string[] => {
    const known = memo.get(id);
    if (known) return known;
    // Walk up iteratively to the nearest memoised ancestor, so deep trees cannot overflow the stack.
    const chain: number[] = [];
    let cur: number | undefined = id;
    while (cur !== undefined && !memo.has(cur)) {
      chain.push(cur);
      cur = parent.get(cur);
    }
    let above: string[] = cur === undefined ? [] : (memo.get(cur) ?? []);
    for (let i = chain.length - 1; i >= 0; i--) {
      const nodeId = chain[i] ?? 0;
      const node = byId.get(nodeId);
      const key = node ? keyOf(node.callFrame) : "";
      above = node && !above.includes(key) ? [...above, key] : above;
      memo.set(nodeId, above);
    }
    return memo.get(id) ?? [];
  };
  for (const n of profile.nodes) visit(n.id);
  return memo;
}

/** Self and total time per function, and the profile's totals; `capUs` as in `sampleDurations`. */
export function summarize(profile: CpuProfile, capUs?: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const durations = capUs === undefined ? sampleDurations(profile) : sampleDurations(profile, capUs);
  const stacks = stackKeys(profile);
  const functions = new Map<string, FunctionTime>();
  const fn = (f: CallFrame): FunctionTime => {
    const key = keyOf(f);
    let out = functions.get(key);
    if (!out) {
      out = { key, functionName: f.functionName || "(anonymous)", url: f.url, line: f.lineNumber + 1, selfUs: 0, totalUs: 0 };
      functions.set(key, out);
    }
    return out;
  };
  for (const n of profile.nodes) fn(n.callFrame);
  const totals: ProfileTotals = { busyUs: 0, idleUs: 0, programUs: 0, gcUs: 0, samples: durations.length };
  const samples = profile.samples ?? [];
  durations.forEach((us, i) => {
    const node = byId.get(samples[i] ?? -1);
    if (!node) return;
    const name = node.callFrame.functionName;
    if (name === "(idle)") totals.idleUs += us;
    else if (name === "(program)") totals.programUs += us;
    else if (name === "(garbage collector)") totals.gcUs += us;
    else totals.busyUs += us;
    fn(node.callFrame).selfUs += us;
    for (const key of stacks.get(node.id) ?? []) {
      const f = functions.get(key);
      if (f) f.totalUs += us;
    }
  });
  const meta: readonly string[] = META_FUNCTIONS;
  return { totals, functions: [...functions.values()].filter((f) => !(meta.includes(f.functionName) && f.url === "")) };
}

/** The `n` functions with the most self or total time, most first (ties by name, so output is stable). */
export function topFunctions(functions: readonly FunctionTime[], by: "selfUs" | "totalUs", n: number): FunctionTime[] {
  return [...functions]
    .filter((f) => f[by] > 0)
    .sort((a, b) => b[by] - a[by] || a.key.localeCompare(b.key))
    .slice(0, n);
}

/**
 * `file:line` of a function: a relative path (a source-mapped one) as it is,
 * an absolute one or a URL shortened to its last two path segments.
 */
export function location(f: FunctionTime): string {
  if (f.url === "") return "(native)";
  if (!/^(\/|[a-z]+:\/\/)/.test(f.url)) return `${f.url}:${f.line}`;
  const parts = f.url.replace(/^[a-z]+:\/\//, "").split("/");
  return `${parts.slice(-2).join("/")}:${f.line}`;
}

/**
 * A Markdown table of `rows`: function, file:line, ms and % of `baseUs`
 * (the profile's busy time, so the column reads as a share of our CPU).
 */
export function formatTable(rows: readonly FunctionTime[], by: "selfUs" | "totalUs", baseUs: number): string {
  const head = `| # | function | file:line | ${by === "selfUs" ? "self" : "total"} ms | % |\n|---|---|---|---|---|`;
  const lines = rows.map((f, i) => {
    const pct = baseUs > 0 ? ((f[by] / baseUs) * 100).toFixed(1) : "";
    return `| ${i + 1} | ${f.functionName} | ${location(f)} | ${(f[by] / 1000).toFixed(1)} | ${pct} |`;
  });
  return [head, ...lines].join("\n");
}
