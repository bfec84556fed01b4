/**
 * @module
 * Runs many writes a bounded number at a time (the scheduler binds with a
 * parallelism, as upstream's binding cycles run concurrently; the replicas
 * core creates and deletes children so; deletecollection, the garbage
 * collector, namespace cleanup and the report webhook yield the same way),
 * collecting failures instead of stopping at the first.
 *
 * Each task starts after a zero-delay timer. Locally every Durable Object
 * lives in one workerd process with one event loop, and an object calling
 * another in that process never waits on a socket, so a burst of such writes
 * keeps the loop's queue of ready work from ever running dry. workerd polls
 * sockets and timers only when it does: for as long as the burst lasts no
 * request is read (API calls, even GET /version, go unanswered for tens of
 * seconds) and a pooled connection closed by its peer goes unnoticed, so
 * miniflare's queue broker fails its next call on one and never delivers
 * another batch (bench/README.md, converge at N=1,000). A timer fires only
 * after a poll, so parking every worker on one before its next task lets the
 * loop run dry, and read its sockets, after at most `limit` tasks (as long as
 * whatever else is in flight yields the same way). On Cloudflare the timer
 * costs one turn of the loop.
 */

/** Resolves on a later turn of the event loop, once the runtime has polled for I/O and timers. */
export function yieldToRuntime(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Runs `tasks` with at most `limit` in flight, each after `yieldToRuntime`; resolves to the errors they threw. */
export async function runBounded(tasks: readonly (() => Promise<void>)[], limit: number): Promise<unknown[]> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (!task) continue;
      await yieldToRuntime();
      try {
        await task();
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return errors;
}
