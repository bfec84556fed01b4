/**
 * One profiled phase: the runtime's V8 profiler runs exactly around a
 * workload, and the profile is reduced to CPU time per request and the top
 * functions. Exported for every bench that wants CPU-ms per request
 * (bench/profile, bench/cost).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CdpClient } from "./cdp.ts";
import { type CpuProfile, type FunctionTime, type ProfileTotals, formatTable, summarize, topFunctions } from "./cpu-profile.ts";

/** What a workload reports back: how many requests it made (the denominator of CPU-ms per request). */
export interface WorkloadResult {
  requests: number;
  /** Anything else worth keeping in the JSON (counts, latencies). */
  details?: Record<string, unknown>;
}

/** The figures of one phase. */
export interface PhaseProfile {
  name: string;
  requests: number;
  /** From Profiler.start's reply to the workload's end, in ms. */
  wallMs: number;
  /** Sampled time, in ms: busy (JS and the runtime under it), and the three kept apart. */
  cpuMs: number;
  gcMs: number;
  programMs: number;
  idleMs: number;
  /** cpuMs ÷ requests, and the same with GC added (GC is paid for the requests too). */
  cpuMsPerRequest: number;
  cpuWithGcMsPerRequest: number;
  samples: number;
  topSelf: FunctionTime[];
  topTotal: FunctionTime[];
  details?: Record<string, unknown>;
}

/** Options of `profilePhase`. */
export interface ProfileOptions {
  /** Sampling interval in µs (V8's default is 1000; 100 gives ten times the samples). */
  samplingIntervalUs?: number;
  /** Rows in each top table. */
  top?: number;
  /** Rewrites the profile before it is summarised (e.g. `remapProfile` to source positions); the raw one is returned. */
  remap?: (profile: CpuProfile) => CpuProfile;
}

const us2ms = (us: number): number => us / 1000;

/** Reduces a recorded profile to a phase's figures. */
export function phaseFigures(name: string, profile: CpuProfile, workload: WorkloadResult, wallMs: number, top = 10): PhaseProfile {
  const { totals, functions } = summarize(profile);
  const per = (us: number): number => (workload.requests > 0 ? us2ms(us) / workload.requests : Number.NaN);
  return {
    name, requests: workload.requests, wallMs,
    cpuMs: us2ms(totals.busyUs), gcMs: us2ms(totals.gcUs), programMs: us2ms(totals.programUs), idleMs: us2ms(totals.idleUs),
    cpuMsPerRequest: per(totals.busyUs), cpuWithGcMsPerRequest: per(totals.busyUs + totals.gcUs),
    samples: totals.samples,
    topSelf: topFunctions(functions, "selfUs", top),
    topTotal: topFunctions(functions, "totalUs", top),
    ...(workload.details ? { details: workload.details } : {}),
  };
}

function isProfile(v: unknown): v is CpuProfile {
  return typeof v === "object" && v !== null && "nodes" in v && Array.isArray(v.nodes) && "startTime" in v && typeof v.startTime === "number" &&
    "endTime" in v && typeof v.endTime === "number";
}

/**
 * Profiles `workload` in the runtime `cdp` is attached to: enable, set the
 * sampling interval, start, run, stop. Resolves with the figures and the raw
 * profile (to save as a .cpuprofile). The profiler is stopped even when the
 * workload fails, so the next phase can start its own.
 */
export async function profilePhase(cdp: CdpClient, name: string, workload: () => Promise<WorkloadResult>, opts: ProfileOptions = {}): Promise<{ figures: PhaseProfile; profile: CpuProfile }> {
  await cdp.send("Profiler.enable");
  // Only allowed while the profiler is stopped: set it before every start.
  await cdp.send("Profiler.setSamplingInterval", { interval: opts.samplingIntervalUs ?? 100 });
  await cdp.send("Profiler.start");
  const start = process.hrtime.bigint();
  let result: WorkloadResult;
  try {
    result = await workload();
  } catch (err) {
    await cdp.send("Profiler.stop").catch(() => undefined);
    throw err;
  }
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  // A long profile takes a while to serialise in a busy runtime.
  const stopped = await cdp.send("Profiler.stop", {}, 120_000);
  const profile = typeof stopped === "object" && stopped !== null && "profile" in stopped ? stopped.profile : undefined;
  if (!isProfile(profile)) throw new Error(`Profiler.stop of phase ${name} gave no profile`);
  const readable = opts.remap ? opts.remap(profile) : profile;
  return { figures: phaseFigures(name, readable, result, wallMs, opts.top), profile };
}

/** Writes `profile` as `<dir>/profile-<stamp>-<phase>.cpuprofile` (loadable in Chrome DevTools); returns the path. */
export function saveProfile(dir: string, stamp: string, phase: string, profile: CpuProfile): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `profile-${stamp}-${phase}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

/** The phase's figures as text: the headline and both top tables. */
export function formatPhase(p: PhaseProfile): string {
  const f = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : "–");
  const totals: ProfileTotals = { busyUs: p.cpuMs * 1000, gcUs: p.gcMs * 1000, programUs: p.programMs * 1000, idleUs: p.idleMs * 1000, samples: p.samples };
  return [
    `### ${p.name}`,
    `${p.requests} requests in ${f(p.wallMs / 1000, 2)} s; profiled CPU ${f(p.cpuMs)} ms (${f(p.cpuMsPerRequest, 2)} ms/request; ` +
      `with GC ${f(p.cpuWithGcMsPerRequest, 2)}); apart: GC ${f(p.gcMs)} ms, (program) ${f(p.programMs)} ms, (idle) ${f(p.idleMs)} ms; ${totals.samples} samples`,
    "",
    "top by self time:",
    formatTable(p.topSelf, "selfUs", totals.busyUs),
    "",
    "top by total time:",
    formatTable(p.topTotal, "totalUs", totals.busyUs),
  ].join("\n");
}
