/**
 * Prints the summary of saved `.cpuprofile` files, as bench/profile prints a
 * phase (without a request count: the file does not know it):
 *
 *   npx tsx bench/profile-summary.ts bench/results/profile-<stamp>-creates.cpuprofile [--top 20]
 *     [--bundle /tmp/duraplane-worker-<hash>/index.js]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { CpuProfile } from "./cpu-profile.ts";
import { formatPhase, phaseFigures } from "./profile-phase.ts";
import { remapProfile, SourceMap } from "./source-map.ts";

const { values, positionals } = parseArgs({ options: { top: { type: "string", default: "10" }, bundle: { type: "string" } }, allowPositionals: true });
// --bundle <dir>/index.js: the Worker bundle the profile was taken of, to name source files through its map.
const map = values.bundle === undefined ? undefined : SourceMap.forBundle(values.bundle);
for (const file of positionals) {
  const raw = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const profile = map ? remapProfile(raw, map) : raw;
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  console.log(`${formatPhase(phaseFigures(file, profile, { requests: 0 }, wallMs, Number(values.top)))}\n`);
}
