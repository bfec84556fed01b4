/**
 * @module
 * The cost counters of one isolate. Locally every Durable Object and the
 * Worker share one workerd isolate, so one set of counters sees a request's
 * whole cost: the front, the object and collection stores, the reconciles it
 * queues. Only a cost build (flag.ts) ever increments them.
 */

const counts = new Map<string, number>();
let since = Date.now();

/** Adds `n` to counter `name`. */
export function count(name: string, n = 1): void {
  counts.set(name, (counts.get(name) ?? 0) + n);
}

/** Every counter, sorted by name, and the time since they were last reset (ms). */
export function snapshot(): { sinceMs: number; counts: Record<string, number> } {
  const sorted = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  return { sinceMs: Date.now() - since, counts: Object.fromEntries(sorted) };
}

/** Sets every counter back to zero. */
export function reset(): void {
  counts.clear();
  since = Date.now();
}
