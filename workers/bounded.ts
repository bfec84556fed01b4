/**
 * @module
 * Runs many writes a bounded number at a time, in one worker pool (the scheduler binds with a
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
 *
 * The workers of one pool park on one shared timer, not one each. Every
 * timer fires on a turn of its own, and under load a turn of the shared
 * loop lasts tens of milliseconds (the other objects' work runs in it): with
 * a timer per worker, the pool's workers started one per turn, so a
 * scheduler pass of 100 binds ran one bind at a time whatever its
 * parallelism (binds started ~50 ms apart, a pass took 5.3 s; bench/README,
 * fleet). Sharing keeps the rule — no worker starts a task without the loop
 * having polled since its last one — at one turn per round of workers. The
 * timer is the pool's own, never another request's (workerd does not let a
 * request wait on a promise another request's I/O resolves).
 */

/** Resolves on a later turn of the event loop, once the runtime has polled for I/O and timers. */
export function yieldToRuntime(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * The one worker pool: `fn` over `items` with at most `limit` in flight, each
 * started after a turn of the loop that the pool's waiting workers share
 * (see the module comment); every item runs whatever the others do, and the
 * outcomes come back in the order of `items`.
 */
export async function mapBounded<T, R>(
  items: readonly T[], limit: number, fn: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const out = new Array<PromiseSettledResult<R>>(items.length);
  // One iterator shared by the workers: each takes the next item when it is free.
  const queue = items.entries();
  // The turn the workers waiting now share; the next worker to wait after it fired starts another.
  let turn: Promise<void> | undefined;
  const nextTurn = (): Promise<void> => (turn ??= yieldToRuntime().then(() => {
    turn = undefined;
  }));
  const worker = async (): Promise<void> => {
    for (const [i, item] of queue) {
      await nextTurn();
      try {
        out[i] = { status: "fulfilled", value: await fn(item) };
      } catch (reason) {
        out[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** {@link mapBounded}'s results; once all have run, the first failure (in the order of `items`) is thrown. */
export async function mapAllBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  return (await mapBounded(items, limit, fn)).map((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  });
}

/** Runs `tasks` with {@link mapBounded}; resolves to the errors they threw. */
export async function runBounded(tasks: readonly (() => Promise<void>)[], limit: number): Promise<unknown[]> {
  const settled = await mapBounded(tasks, limit, (task) => task());
  return settled.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
}
