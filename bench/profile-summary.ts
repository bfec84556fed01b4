/**
 * Prints the summary of saved `.cpuprofile` files, as bench/profile prints a
 * phase (without a request count: the file does not know it):
 *
 *   npx tsx bench/profile-summary.ts bench/results/profile-<stamp>-creates.cpuprofile [--top 20]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { CpuProfile } from "./cpu-profile.ts";
import { formatPhase, phaseFigures } from "./profile-phase.ts";

const { values, positionals } = parseArgs({ options: { top: { type: "string", default: "10" } }, allowPositionals: true });
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  console.log(`${formatPhase(phaseFigures(file, profile, { requests: 0 }, wallMs, Number(values.top)))}\n`);
}
