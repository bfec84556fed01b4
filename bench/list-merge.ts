/**
 * List merges of strategic merge patch and server-side apply at growing
 * sizes: finalizers (a set of strings, merged whole) and env entries (maps by
 * `name`). Prints milliseconds per merge and per element; with merges that
 * find elements by index the per-element cost stays flat as n grows (it was
 * O(n²): 8,000 finalizers took seconds).
 *
 *   npx tsx bench/list-merge.ts [--sizes 1000,8000,32000]
 *
 * It imports the Worker's own patch code, so it is type-checked with the
 * Worker's tsconfig (bundler resolution), not with the scripts' one.
 */
import { performance } from "node:perf_hooks";
import type { Json, JsonObject } from "../shared/k8s/object";
import { serverSideApply } from "../shared/k8s/server-side-apply";
import { applyStrategicMergePatch } from "../shared/k8s/strategic-merge-patch";
import { podPatchMeta } from "../shared/k8s/strategic-merge-patch-meta";

const sizesArg = process.argv.indexOf("--sizes");
const sizes = (sizesArg > 0 ? (process.argv[sizesArg + 1] ?? "") : "1000,8000,32000").split(",").map(Number);
const meta = podPatchMeta("spec");

function pod(finalizers: string[], env: JsonObject[]): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", finalizers },
    spec: { containers: [{ name: "c", image: "busybox", env }] },
  } as unknown as JsonObject;
}

function time(run: () => Json): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

const rows: string[] = ["| n | SMP finalizers ms | SMP env ms | apply finalizers ms | apply env ms | µs per element (max) |", "|---|---|---|---|---|---|"];
for (const n of sizes) {
  const half = Math.floor(n / 2);
  const names = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `example.com/f-${from + i}`);
  const envs = (from: number, to: number): JsonObject[] => Array.from({ length: to - from }, (_, i) => ({ name: `V${from + i}`, value: "x" }));
  // The stored object has the first half; the patch names the second half and half of the first.
  const stored = pod(names(0, half), envs(0, half));
  const patchFinalizers = { metadata: { finalizers: names(half / 2, n) } } as unknown as JsonObject;
  const patchEnv = { spec: { containers: [{ name: "c", env: envs(half / 2, n) }] } } as unknown as JsonObject;
  const applied = pod(names(half / 2, n), envs(half / 2, n));
  const t = [
    time(() => applyStrategicMergePatch(structuredClone(stored), patchFinalizers, meta)),
    time(() => applyStrategicMergePatch(structuredClone(stored), patchEnv, meta)),
    time(() => serverSideApply(structuredClone(stored), { ...applied, spec: { containers: [] } } as unknown as JsonObject, meta)),
    time(() => serverSideApply(structuredClone(stored), { ...applied, metadata: { name: "p" } } as unknown as JsonObject, meta)),
  ];
  const perElement = (Math.max(...t) * 1000) / n;
  rows.push(`| ${n} | ${t.map((v) => v.toFixed(1)).join(" | ")} | ${perElement.toFixed(2)} |`);
}
console.log(rows.join("\n"));
